// The part of every OTLP/JSON export request that is the same for traces and logs: resources →
// scopes → items. A signal describes its key names and how to read one item and build its scope
// and resource; the walk adds the JSON path to any error thrown below it and collects per-item
// rejections (an item reader returns a reason string instead of an item).

import type { AttributeValue, Rejection } from '../types.js';
import { at, withPath } from '../wire-reader.js';
import { element, jsonArray, jsonResource, jsonScopeName, parseRequest, type JsonObject } from './json-common.js';

/** lowerCamelCase key, then its snake_case twin (both are accepted). */
type Key = readonly [camel: string, snake: string];

export interface JsonEnvelopeSpec<Item, Scope, Resource> {
  readonly resources: Key;
  readonly scopes: Key;
  readonly items: Key;
  readItem(o: JsonObject): Item | string;
  scope(scopeName: string, items: Item[]): Scope;
  resource(resource: Map<string, AttributeValue>, scopes: Scope[]): Resource;
}

export interface JsonEnvelope<Resource> {
  readonly resources: Resource[];
  readonly accepted: number;
  readonly rejected: Rejection[];
}

export function readJsonEnvelope<Item, Scope, Resource>(
  body: string,
  spec: JsonEnvelopeSpec<Item, Scope, Resource>,
): JsonEnvelope<Resource> {
  const [resourcesKey, scopesKey, itemsKey] = [spec.resources[0], spec.scopes[0], spec.items[0]];
  const resourceItems = jsonArray(parseRequest(body), ...spec.resources);
  const resources: Resource[] = [];
  const rejected: Rejection[] = [];
  let accepted = 0;
  for (let r = 0; r < resourceItems.length; r++) {
    try {
      const resourceItem = element(resourceItems, r);
      const resource = jsonResource(resourceItem);
      const scopeItems = jsonArray(resourceItem, ...spec.scopes);
      const scopes: Scope[] = [];
      for (let s = 0; s < scopeItems.length; s++) {
        try {
          const scopeItem = element(scopeItems, s);
          const scopeName = jsonScopeName(scopeItem);
          const itemValues = jsonArray(scopeItem, ...spec.items);
          const items: Item[] = [];
          for (let i = 0; i < itemValues.length; i++) {
            let item: Item | string;
            try {
              item = spec.readItem(element(itemValues, i));
            } catch (error) {
              throw withPath(error, at(itemsKey, i));
            }
            if (typeof item === 'string') {
              rejected.push({ path: `${resourcesKey}[${r}].${scopesKey}[${s}].${itemsKey}[${i}]`, reason: item });
            } else {
              items.push(item);
              accepted++;
            }
          }
          scopes.push(spec.scope(scopeName, items));
        } catch (error) {
          throw withPath(error, at(scopesKey, s));
        }
      }
      resources.push(spec.resource(resource, scopes));
    } catch (error) {
      throw withPath(error, at(resourcesKey, r));
    }
  }
  return { resources, accepted, rejected };
}
