// kafka: produces each notification as one message on the channel's topic: key = the alert's group
// key (one incident's firing and resolved messages stay in one partition, in order), value = the
// JSON body the webhook channel POSTs (fields per the channel's template, with `id` for consumers
// to drop a repeat), headers with the schema, its version and the notification id. The producer
// is built with the channel (a TLS file that cannot be read stops the start), connects on the first
// notification and is closed at shutdown (close()). A broker that cannot be
// reached or times out is retryable; one that refuses the message for good (too large, not
// authorised for the topic) fails it. Reasons never carry the SASL username or password.

import type { ChannelFactory, ChannelType } from '../channel.js';
import type { ChannelConfig } from '../config.js';
import type { AlertNotification, DeliveryResult } from '../notification.js';
import { webhookBody } from '../webhook/webhook-notifier.js';
import { createKafkaProducer, KafkaSendError, type KafkaProducer } from '../../kafka/producer.js';
import { producerSecrets } from '../../kafka/producer-config.js';
import { reasonOf } from '../redact.js';
import { KAFKA_CHANNEL_FIELDS, kafkaChannelSettings, type KafkaChannelSettings } from './config.js';

type KafkaChannelConfig = ChannelConfig<KafkaChannelSettings>;

export const NOTIFICATION_SCHEMA = 'faultline.alert_notification';
export const NOTIFICATION_SCHEMA_VERSION = 1;

export const createKafkaNotifier: ChannelFactory<KafkaChannelConfig> = (config) => {
  const secrets = producerSecrets(config.producer);
  // Built with the channel (it connects on the first notification): a TLS file that cannot be read stops the start.
  const producer: KafkaProducer = createKafkaProducer(config.producer, { timeoutMs: config.delivery.timeoutMs, path: `channels.${config.name}` });
  return {
    name: config.name,
    secrets,
    async notify(notification: AlertNotification, signal: AbortSignal): Promise<DeliveryResult> {
      const message = {
        key: notification.groupKey,
        value: JSON.stringify(webhookBody(notification, config)),
        headers: {
          'faultline-schema': NOTIFICATION_SCHEMA,
          'faultline-schema-version': String(NOTIFICATION_SCHEMA_VERSION),
          'faultline-notification-id': notification.id,
        },
      };
      const sending = producer.send(config.topic, [message]).then(
        (): DeliveryResult => ({ outcome: 'delivered' }),
        (error: unknown): DeliveryResult => {
          const reason = `kafka: ${error instanceof KafkaSendError ? `${error.reason}: ` : ''}${reasonOf(error, secrets)}`;
          return error instanceof KafkaSendError && !error.retryable ? { outcome: 'failed', reason } : { outcome: 'retryable', reason };
        },
      );
      const aborted = new Promise<DeliveryResult>((resolve) => {
        const onAbort = () => resolve({ outcome: 'retryable', reason: 'kafka: timed out' });
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      return Promise.race([sending, aborted]);
    },
    async close() {
      await producer.close();
    },
  };
};

/** The kafka channel type: its keys (config.ts) and its notifier; listed in src/components.ts. */
export const kafkaChannel: ChannelType<KafkaChannelSettings, typeof KAFKA_CHANNEL_FIELDS> = {
  type: 'kafka',
  fields: KAFKA_CHANNEL_FIELDS,
  settings: kafkaChannelSettings,
  create: createKafkaNotifier,
};
