// Placeholder until the demo lands: says what `npm start` will do and exits 0.
export function demoCommand(_opts: Record<string, unknown>, _args: readonly string[]): Promise<number> {
  process.stdout.write(
    [
      'bgp2vpc demo (coming soon)',
      'It will start an embedded EC2 emulator with a small VPC, start bgp2vpc, and start simulated hosts that',
      'announce pod CIDRs and service /32s over real BGP on 127.0.0.0/8; then play a scenario: hosts join, a host',
      'dies and its routes fail over, a flapping host is damped, more prefixes than the limit get aggregated.',
      '',
    ].join('\n'),
  );
  return Promise.resolve(0);
}
