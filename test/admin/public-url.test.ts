import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { groupUrl, linkBase } from '../../src/admin/public-url.js';

describe('the base of links into the admin API', () => {
  it('is service.public_url when it is set, whatever the admin endpoint', () => {
    assert.equal(linkBase('https://ops.example.com/faultline', { host: '0.0.0.0', port: 9464 }), 'https://ops.example.com/faultline');
  });

  it('is the admin endpoint as bound when public_url is empty', () => {
    assert.equal(linkBase('', { host: '127.0.0.1', port: 40123 }), 'http://127.0.0.1:40123');
    assert.equal(linkBase('', { host: '::1', port: 9464 }), 'http://[::1]:9464');
  });

  it("names this machine by its hostname when the admin endpoint binds every interface", () => {
    for (const host of ['0.0.0.0', '::', '']) assert.equal(linkBase('', { host, port: 9464 }), `http://${hostname()}:9464`);
  });

  it("joins a group's path to the base", () => {
    assert.equal(groupUrl('http://faultline.internal:9464', '3f9a1c0b2d4e'), 'http://faultline.internal:9464/api/v1/groups/3f9a1c0b2d4e');
  });
});
