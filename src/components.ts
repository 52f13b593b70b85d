// Every component type Faultline knows, as in the OpenTelemetry Collector's components list: the
// only file that imports them all. main.ts hands this table to config validation and to
// createFaultline; a new receiver, processor or exporter is its folder plus one line here, and so
// is a new notification channel (CHANNELS, handed to the alerts exporter).

import type { ComponentTable } from './component.js';
import type { FaultlineConfig } from './config/types.js';
import { healthCheckExtensionFactory, type HealthCheckExtensionConfig } from './admin/health-check.js';
import type { AlertsExporterConfig } from './alert/config.js';
import { alertsExporterFactory } from './alert/alerts-exporter.js';
import { IMPLICIT_GROUP_PROCESSOR, type GroupProcessorConfig } from './group/config.js';
import { groupProcessorFactory } from './group/group-processor.js';
import { groupsExporterFactory } from './group/groups-exporter.js';
import type { GroupsExporterConfig } from './group/store/config.js';
import type { PrometheusExporterConfig } from './metrics/config.js';
import { prometheusExporterFactory } from './metrics/prometheus-exporter.js';
import type { ErrorsProcessorConfig } from './processor/errors/config.js';
import { errorsProcessorFactory } from './processor/errors/errors-processor.js';
import type { FilterProcessorConfig } from './processor/filter/config.js';
import { filterProcessorFactory } from './processor/filter/filter-processor.js';
import { IMPLICIT_IDENTITY, type IdentityProcessorConfig } from './processor/identity/config.js';
import { identityProcessorFactory } from './processor/identity/identity-processor.js';
import type { SampleProcessorConfig } from './processor/sample/config.js';
import { sampleProcessorFactory } from './processor/sample/sample-processor.js';
import { IMPLICIT_SCRUB, type ScrubProcessorConfig } from './processor/scrub/config.js';
import { scrubProcessorFactory } from './processor/scrub/scrub-processor.js';
import { alertmanagerChannel } from './notify/alertmanager/alertmanager-notifier.js';
import type { ChannelType } from './notify/channel.js';
import { discordChannel } from './notify/discord/discord-notifier.js';
import { emailChannel } from './notify/email/email-notifier.js';
import { pagerDutyChannel } from './notify/pagerduty/pagerduty-notifier.js';
import { slackChannel } from './notify/slack/slack-notifier.js';
import { webhookChannel } from './notify/webhook/webhook-notifier.js';
import { kafkaChannel } from './notify/kafka/kafka-notifier.js';
import type { KafkaExporterConfig } from './kafka/config.js';
import { kafkaExporterFactory } from './kafka/kafka-exporter.js';
import type { OtlpReceiverConfig } from './receiver/otlp/config.js';
import { otlpReceiverFactory } from './receiver/otlp/otlp-receiver.js';
import type { ReportReceiverConfig } from './receiver/report-http/config.js';
import { reportReceiverFactory } from './receiver/report-http/report-receiver.js';
import type { SentryReceiverConfig } from './receiver/sentry/config.js';
import { sentryReceiverFactory } from './receiver/sentry/sentry-receiver.js';

// One union per component kind, discriminated by `type` (the part of the id before `/`).
export type ReceiverConfig = OtlpReceiverConfig | ReportReceiverConfig | SentryReceiverConfig;
export type ProcessorConfig =
  | ErrorsProcessorConfig
  | FilterProcessorConfig
  | ScrubProcessorConfig
  | SampleProcessorConfig
  | GroupProcessorConfig
  | IdentityProcessorConfig;
export type ExporterConfig = PrometheusExporterConfig | GroupsExporterConfig | AlertsExporterConfig | KafkaExporterConfig;
export type ExtensionConfig = HealthCheckExtensionConfig;

/** A config validated with COMPONENTS: its component parts are the unions above. */
export type Config = FaultlineConfig<ReceiverConfig, ProcessorConfig, ExporterConfig, ExtensionConfig>;

/** The notification channel types of the alerts exporter (`exporters.alerts.channels.<name>.type`). */
export const CHANNELS: readonly ChannelType[] = [
  webhookChannel,
  slackChannel,
  discordChannel,
  pagerDutyChannel,
  emailChannel,
  alertmanagerChannel,
  kafkaChannel,
];

export const COMPONENTS: ComponentTable<ReceiverConfig, ProcessorConfig, ExporterConfig, ExtensionConfig> = {
  receivers: [otlpReceiverFactory, reportReceiverFactory, sentryReceiverFactory],
  processors: [
    errorsProcessorFactory,
    filterProcessorFactory,
    scrubProcessorFactory,
    sampleProcessorFactory,
    groupProcessorFactory,
    identityProcessorFactory,
  ],
  exporters: [prometheusExporterFactory, groupsExporterFactory, alertsExporterFactory(CHANNELS), kafkaExporterFactory],
  extensions: [healthCheckExtensionFactory],
  /**
   * Scrubbing is on by default and always first, so nothing after it sees a secret; identity
   * follows grouping (it compares parsed frames) and precedes filter and sample, so they see one
   * event per error.
   */
  implicitProcessors: [IMPLICIT_SCRUB, IMPLICIT_GROUP_PROCESSOR, IMPLICIT_IDENTITY],
};
