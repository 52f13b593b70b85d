import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { FAST, GROUP, firing, newGroup, startPipeline, type TestPipeline } from './helpers/notifications.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const PASSWORD = 'smtp-pa55word-do-not-log';

interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

/** The mail as written before quoted-printable encoding (soft line breaks joined, =XX decoded), for ASCII matching. */
function quotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_whole, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

async function startSmtpServer(): Promise<{ server: SMTPServer; port: number; mails: Mail[]; logins: string[] }> {
  const mails: Mail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === PASSWORD) {
        logins.push(auth.username ?? '');
        callback(null, { user: auth.username });
      } else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, mails, logins };
}

describe('the email channel, against a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let slack: Receiver;
  let slackHealthy = false;
  let faultline: TestPipeline;

  before(async () => {
    smtp = await startSmtpServer();
    slack = await startReceiver(() => (slackHealthy ? { status: 200 } : { status: 500 }));
    faultline = await startPipeline({
      mail: {
        type: 'email',
        host: '127.0.0.1',
        port: smtp.port,
        tls: 'none',
        username: 'alerts',
        password: PASSWORD,
        from: 'faultline@example.com',
        to: ['oncall@example.com', 'team@example.com'],
        ...FAST,
      },
      slack: { type: 'slack', url: `${slack.url}/services/T0/B0/secret`, ...FAST },
    });
  });
  after(async () => {
    await faultline.stop();
    await slack.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });

  it('delivers a plain-text and HTML mail to every recipient', async () => {
    faultline.pipeline.sink.send(firing({ channels: ['mail'], annotations: { summary: 'Checkout <b>errors</b> 🔥' } }));
    await faultline.pipeline.idle();
    assert.equal(smtp.mails.length, 1, 'the mail');
    const [mail] = smtp.mails;
    assert.equal(mail.from, 'faultline@example.com');
    assert.deepEqual(mail.to, ['oncall@example.com', 'team@example.com']);
    assert.match(mail.raw, /Content-Type: text\/plain/i);
    assert.match(mail.raw, /Content-Type: text\/html/i);
    assert.match(mail.raw, /Subject: .*FIRING/);
    assert.match(mail.raw, /&#60;b&#62;errors/, 'HTML is escaped');
    assert.match(mail.raw, /5b8efff798038103d269b633813fc60c/);
    assert.deepEqual(smtp.logins, ['alerts']);
  });

  it('names the error group and links to it in the text and the HTML', async () => {
    const before = smtp.mails.length;
    faultline.pipeline.sink.send(newGroup({ channels: ['mail'] }));
    await faultline.pipeline.idle();
    assert.equal(smtp.mails.length, before + 1, 'the mail');
    const body = quotedPrintable(smtp.mails[before].raw);
    assert.ok(body.includes(`error group ${GROUP.id}: ${GROUP.url}`), 'the plain text names the group and its link');
    assert.ok(body.includes(`<p>error group <a href="${GROUP.url}">${GROUP.id}</a></p>`), 'the HTML links the group');
  });

  it('never re-sends the email when Slack fails, and delivers Slack once it recovers', async () => {
    const before = smtp.mails.length;
    faultline.pipeline.sink.send(firing({ channels: ['slack', 'mail'] }));
    await faultline.pipeline.idle();
    assert.equal(smtp.mails.length, before + 1);
    const failed = () => faultline.metric('faultline_alert_notifications_total', { channel: 'slack', outcome: 'error' });
    for (let i = 1; i <= 3; i++) {
      assert.equal(await failed(), i);
      faultline.clock.advance(1000);
      faultline.pipeline.wake();
      await faultline.pipeline.idle();
    }
    slackHealthy = true;
    faultline.clock.advance(5000);
    faultline.pipeline.wake();
    await faultline.pipeline.idle();
    assert.equal(slack.delivered.length, 1, 'slack after recovery');
    assert.equal(smtp.mails.length, before + 1, 'the mail went out exactly once');
    assert.equal(slack.requests.length, 5, 'three failures, a failed trial while half-open, then the delivery');
  });

  it('keeps the SMTP password out of logs and metrics', async () => {
    const everything = JSON.stringify(faultline.logs) + (await faultline.registry.metrics());
    assert.doesNotMatch(everything, new RegExp(PASSWORD));
  });
});
