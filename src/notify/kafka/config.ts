// kafka channel keys: the producer keys the kafka exporter has too (brokers, client_id,
// producer.{acks, idempotent, compression}, sasl.*, tls.*: src/kafka/producer-config.ts) and
// `topic`. One attempt's deadline is the channel's delivery `timeout`.

import { withDefault } from '../../config/schema.js';
import { PRODUCER_FIELDS, producerSettings, type ProducerSettings } from '../../kafka/producer-config.js';
import { nonEmptyText } from '../channel-values.js';

export const KAFKA_CHANNEL_DEFAULTS = { topic: 'faultline.alerts' } as const;

export interface KafkaChannelSettings {
  readonly type: 'kafka';
  readonly producer: ProducerSettings;
  readonly topic: string;
}

export const KAFKA_CHANNEL_FIELDS = {
  ...PRODUCER_FIELDS,
  topic: withDefault(nonEmptyText, KAFKA_CHANNEL_DEFAULTS.topic),
};

export function kafkaChannelSettings(decoded: Parameters<typeof producerSettings>[0] & { topic: string }): KafkaChannelSettings {
  return { type: 'kafka', producer: producerSettings(decoded), topic: decoded.topic };
}
