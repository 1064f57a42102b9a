// The shape of one emulated action: a synchronous handler from query parameters to an XML body, plus the
// request-rate class EC2 throttles it under.
import type { Ec2Model } from '../model.js';
import type { QueryParams } from '../query.js';
import type { XmlObject } from '../xml.js';

export interface ActionContext {
  readonly model: Ec2Model;
  readonly q: QueryParams;
}

/** mutating: CreateRoute & co; describe: Describe*; EC2 gives each its own token bucket. */
export type ActionKind = 'mutating' | 'describe';

export interface ActionDef {
  readonly kind: ActionKind;
  readonly handler: (ctx: ActionContext) => XmlObject;
}

export const returnTrue: XmlObject = { return: true };
