import { describe, expect, it } from 'vitest';
import { resolveCollision, routerIdNumber } from '../../../src/bgp/session/collision.js';

describe('connection collision (RFC 4271 §6.8)', () => {
  it('router ids compare as unsigned 32-bit numbers', () => {
    expect(routerIdNumber('10.0.0.1')).toBe(0x0a000001);
    expect(routerIdNumber('255.255.255.255')).toBe(0xffffffff);
  });

  it('an Established connection always wins', () => {
    expect(
      resolveCollision('10.0.0.9', '10.0.0.1', { state: 'OpenConfirm', outbound: true }, { state: 'Established', outbound: false }),
    ).toBe('fresh');
  });

  it('lower local id: the connection we initiated is closed', () => {
    // local 10.0.0.1 < remote 10.0.0.2
    expect(
      resolveCollision('10.0.0.1', '10.0.0.2', { state: 'OpenConfirm', outbound: true }, { state: 'OpenConfirm', outbound: false }),
    ).toBe('fresh');
    expect(
      resolveCollision('10.0.0.1', '10.0.0.2', { state: 'OpenConfirm', outbound: false }, { state: 'OpenConfirm', outbound: true }),
    ).toBe('other');
  });

  it('higher local id: the connection the peer initiated is closed', () => {
    expect(
      resolveCollision('200.0.0.1', '10.0.0.2', { state: 'OpenConfirm', outbound: true }, { state: 'OpenConfirm', outbound: false }),
    ).toBe('other');
    expect(
      resolveCollision('200.0.0.1', '10.0.0.2', { state: 'OpenConfirm', outbound: false }, { state: 'OpenConfirm', outbound: true }),
    ).toBe('fresh');
  });

  it('no collision with a connection that has not seen an OPEN yet', () => {
    expect(
      resolveCollision('10.0.0.1', '10.0.0.2', { state: 'OpenConfirm', outbound: false }, { state: 'OpenSent', outbound: true }),
    ).toBeUndefined();
    expect(
      resolveCollision('10.0.0.1', '10.0.0.2', { state: 'OpenConfirm', outbound: false }, { state: 'Connect', outbound: true }),
    ).toBeUndefined();
  });

  it('two inbound connections from the same peer: the newer replaces the older', () => {
    expect(
      resolveCollision('10.0.0.1', '10.0.0.2', { state: 'OpenConfirm', outbound: false }, { state: 'OpenConfirm', outbound: false }),
    ).toBe('other');
  });
});
