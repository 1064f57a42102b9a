// Types of layers.js for the tests (the lint config itself is plain JavaScript, as ESLint loads it).
export interface Layer {
  readonly name: string;
  readonly files: readonly string[];
  readonly may: readonly string[];
}
export declare const LAYERS: readonly Layer[];
export declare function layerOf(path: string): Layer | undefined;
export declare function layerCycle(layers?: readonly Layer[]): string[] | undefined;
export declare const layersPlugin: { readonly rules: Record<string, unknown> };
