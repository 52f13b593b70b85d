import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAST, firing, resolved, startPipeline, type TestPipeline } from './helpers/notifications.js';

/** A group link under a long public_url (a proxy path), so it too must fit. */
const LONG_GROUP = { id: 'a'.repeat(64), url: `https://ops.example.com/${'p'.repeat(400)}/api/v1/groups/${'a'.repeat(64)}` };
import { startReceiver, type Receiver } from './helpers/receiver.js';

/** A 10 KB stack trace. */
function bigStack(n: number): string {
  const lines = [`TypeError: failure ${n}`];
  while (lines.join('\n').length < 10_240) lines.push(`    at handler${n}_${lines.length} (/srv/app/src/module${n}/file.js:${lines.length}:13)`);
  return lines.join('\n');
}

/** Fifty grouped errors, each with its 10 KB stack, in one notification. */
function fiftyGroupedErrors() {
  const errors = Array.from({ length: 50 }, (_, i) => ({ type: `Error${i}`, stack: bigStack(i) }));
  return firing({
    channels: ['slack', 'discord', 'pagerduty'],
    severity: 'critical',
    annotations: {
      summary: `50 error groups in checkout ${'x'.repeat(300)}`,
      description: errors.map((error) => `${error.type} ×3\n${error.stack}`).join('\n'),
      ...Object.fromEntries(errors.map((error, i) => [`group_${i}`, error.type])),
    },
    labels: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`label_${i}`, `value ${i} ${'v'.repeat(100)}`])),
    sample: { ...firing().sample!, stacktrace: errors[0].stack },
    group: LONG_GROUP,
  });
}

describe('message bodies within each service limits', () => {
  let slack: Receiver;
  let discord: Receiver;
  let pagerduty: Receiver;
  let faultline: TestPipeline;
  const template = { max_stacktrace_lines: 10_000 };

  before(async () => {
    [slack, discord, pagerduty] = await Promise.all([startReceiver(), startReceiver(), startReceiver(() => ({ status: 202 }))]);
    faultline = await startPipeline({
      slack: { type: 'slack', url: `${slack.url}/services/T000/B000/XXXX`, ...FAST, template },
      discord: { type: 'discord', url: `${discord.url}/api/webhooks/1/abc`, ...FAST, template },
      pagerduty: {
        type: 'pagerduty',
        url: `${pagerduty.url}/v2/enqueue`,
        routing_key: 'R0UT1NGKEY0000000000000000000000',
        ...FAST,
        template,
      },
    });
    faultline.pipeline.sink.send(fiftyGroupedErrors());
    await faultline.pipeline.idle();
    assert.deepEqual([slack.delivered.length, discord.delivered.length, pagerduty.delivered.length], [1, 1, 1]);
  });
  after(async () => {
    await faultline.stop();
    await Promise.all([slack.close(), discord.close(), pagerduty.close()]);
  });

  it('keeps Slack within header 150, section text 3000, 10 fields of 2000 and 50 blocks', () => {
    const body = slack.delivered[0].json();
    const [attachment] = body.attachments;
    assert.equal(attachment.color, '#D00000');
    assert.ok(attachment.blocks.length <= 50);
    const header = attachment.blocks.find((block: any) => block.type === 'header');
    assert.ok(header.text.text.length <= 150);
    let sawMoreLines = false;
    let sawMoreFields = false;
    for (const block of attachment.blocks.filter((b: any) => b.type === 'section')) {
      if (block.text) {
        assert.ok(block.text.text.length <= 3000, `section of ${block.text.text.length}`);
        sawMoreLines ||= /… \d+ more lines/.test(block.text.text);
      }
      if (block.fields) {
        assert.ok(block.fields.length <= 10);
        for (const field of block.fields) assert.ok(field.text.length <= 2000);
        sawMoreFields ||= block.fields.some((field: any) => /^\*\+\d+ more\*/.test(field.text));
      }
    }
    assert.ok(
      attachment.blocks.some((block: any) => block.text?.text === `error group <${LONG_GROUP.url}|${LONG_GROUP.id}>`),
      'a section links to the error group',
    );
    assert.ok(sawMoreLines, 'a cut text says how many lines are left out');
    assert.ok(sawMoreFields, 'a cut field list says how many fields are left out');
    assert.ok(body.text.length <= 3000);
  });

  it('keeps Discord within content 2000, title 256, description 4096, 25 fields, 6000 per embed and 10 embeds', () => {
    const body = discord.delivered[0].json();
    assert.ok(body.content.length <= 2000);
    assert.ok(body.embeds.length >= 1 && body.embeds.length <= 10);
    const [embed] = body.embeds;
    assert.ok(embed.title.length <= 256);
    assert.ok(embed.description.length <= 4096);
    assert.ok(embed.fields.length <= 25);
    let total = embed.title.length + embed.description.length;
    for (const field of embed.fields) {
      assert.ok(field.name.length <= 256 && field.value.length <= 1024);
      total += field.name.length + field.value.length;
    }
    assert.ok(total <= 6000, `embed of ${total} characters`);
    assert.match(embed.description, /… \d+ more lines/);
    assert.equal(embed.url, LONG_GROUP.url, 'the title links to the error group');
    assert.ok(embed.description.startsWith(`error group [${LONG_GROUP.id}](${LONG_GROUP.url})\n`));
    assert.ok(embed.fields.some((field: any) => /^\+\d+ more$/.test(field.name)));
    assert.equal(embed.color, 0xd00000);
  });

  it('keeps PagerDuty within a 1024-character summary and a 512 KB event', () => {
    const request = pagerduty.delivered[0];
    assert.ok(request.body.length < 512 * 1024);
    const body = request.json();
    assert.ok(body.payload.summary.length <= 1024);
    assert.equal(body.payload.severity, 'critical');
    assert.deepEqual(body.links, [{ href: LONG_GROUP.url, text: `Faultline error group ${LONG_GROUP.id}` }]);
    assert.equal(body.payload.custom_details.group_id, LONG_GROUP.id);
  });
});

describe('the PagerDuty channel', () => {
  let receiver: Receiver;
  let faultline: TestPipeline;

  before(async () => {
    receiver = await startReceiver(() => ({ status: 202, body: '{"status":"success","dedup_key":"x"}' }));
    faultline = await startPipeline({
      pd: { type: 'pagerduty', url: `${receiver.url}/v2/enqueue`, routing_key: 'R0UT1NGKEY0000000000000000000000', source: 'faultline-prod', ...FAST },
    });
  });
  after(async () => {
    await faultline.stop();
    await receiver.close();
  });

  it('triggers, then resolves with the same dedup_key carrying summary, source and severity', async () => {
    const trigger = firing({ channels: ['pd'] });
    faultline.pipeline.sink.send(trigger);
    faultline.pipeline.sink.send(resolved(trigger, trigger.startsAt + 300_000));
    await faultline.pipeline.idle();
    assert.equal(receiver.delivered.length, 2);
    const [first, second] = receiver.delivered.map((request) => request.json());
    assert.equal(first.event_action, 'trigger');
    assert.equal(second.event_action, 'resolve');
    assert.equal(first.routing_key, 'R0UT1NGKEY0000000000000000000000');
    assert.equal(first.dedup_key, trigger.groupKey);
    assert.equal(second.dedup_key, first.dedup_key);
    assert.match(second.payload.summary, /^\[RESOLVED\] checkout-errors/);
    assert.equal(second.payload.source, 'faultline-prod');
    assert.equal(second.payload.severity, 'error');
    assert.equal(receiver.delivered[0].path, '/v2/enqueue');
  });

  it('gives different groups different dedup keys', async () => {
    const count = receiver.delivered.length;
    faultline.pipeline.sink.send(firing({ channels: ['pd'], groupKey: 'checkout-errors{service="cart"}' }));
    faultline.pipeline.sink.send(firing({ channels: ['pd'], groupKey: 'checkout-errors{service="search"}' }));
    await faultline.pipeline.idle();
    assert.equal(receiver.delivered.length, count + 2);
    const keys = receiver.delivered.slice(count).map((request) => request.json().dedup_key);
    assert.notEqual(keys[0], keys[1]);
  });
});
