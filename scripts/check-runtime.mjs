/* global process, console */
// pretest and prestart: say which Node runs the npm scripts, and refuse one older than the supported floor.
// npm puts node_modules/.bin first on PATH, so scripts run on the `node` devDependency (Node 24 from the npm
// registry). If that package's preinstall did not run (npm ci --ignore-scripts, or install scripts blocked), there
// is no node_modules/.bin/node and npm would silently fall back to the machine's own Node, here 20.
const floor = 22;
const major = Number(process.versions.node.split('.')[0]);
console.error(`runtime: node ${process.version} (${process.execPath})`);
if (major < floor && !process.env.BGP2VPC_ANY_NODE) {
  console.error(
    `runtime: Node ${floor}+ is required; node_modules/.bin/node is missing, or scripts/with-node.sh chose an older one. ` +
      'Run `npm ci` with install scripts allowed (package.json allowScripts approves "node"), or set BGP2VPC_ANY_NODE=1 ' +
      'to run on this Node anyway.',
  );
  process.exit(1);
}
