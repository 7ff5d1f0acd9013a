import type { JobContext } from '../../jobs/index.js';
import { ACTIVITY_TYPES, type ActivityType, type ParsedActivity } from '../vocab/index.js';
import type { ActivityHandler, HandlerOutcome, InboundActivity } from './process-activity.js';

/** Types of embedded objects handlers register for (besides activities, e.g. the Follow an Undo undoes). */
const OTHER_OBJECT_TYPES = ['Video', 'CacheFile', 'Note', 'Tombstone', 'Person', 'Group', 'Application', 'Service', 'Organization'] as const;
export type ObjectType = ActivityType | (typeof OTHER_OBJECT_TYPES)[number];

const activityTypes: ReadonlySet<string> = new Set(ACTIVITY_TYPES);
const objectTypes: ReadonlySet<string> = new Set([...ACTIVITY_TYPES, ...OTHER_OBJECT_TYPES]);

export const isActivityType = (value: unknown): value is ActivityType => typeof value === 'string' && activityTypes.has(value);
export const isObjectType = (value: unknown): value is ObjectType => typeof value === 'string' && objectTypes.has(value);

/** A table key: an activity type and the object type it handles ('*': whatever the object is). */
type DispatchKey = `${ActivityType} ${ObjectType | '*'}`;
const keyOf = (type: ActivityType, objectType: ObjectType | '*'): DispatchKey => `${type} ${objectType}`;

/** Runs after a handler processed an activity of a type it was registered for (e.g. forwarding it). */
export type AfterProcessed = (activity: InboundActivity) => Promise<void>;

/**
 * The inbox's dispatch table, typed by activity type and object type. Areas register their
 * handlers (`inbox.on('Create', 'CacheFile', h)`, or `inbox.on('Follow', h)` whatever the object);
 * the inbox job dispatches each stored activity, parsed once, to the handler of the most specific key.
 */
export interface InboxDispatcher {
  /**
   * Registers the handler of `type` activities whose embedded object is an `objectType` (or whose
   * object is an activity embedding an `objectType`: an Undo of a Create of a CacheFile). Without
   * `objectType`, the handler takes the activities no more specific handler takes. A key registered
   * twice is a programming error (throws).
   */
  on<T extends ActivityType>(type: T, objectType: ObjectType, handler: ActivityHandler<T>): void;
  on<T extends ActivityType>(type: T, handler: ActivityHandler<T>): void;
  /**
   * Adds a handler to a key already registered, tried when the ones before it skipped the
   * activity (a Delete names a bare URL: one area's video, another's comment).
   */
  orElse<T extends ActivityType>(type: T, handler: ActivityHandler<T>): void;
  /** Runs `hook` after every activity of these types that a handler processed (awaited; a failure fails the attempt). */
  afterProcessed(types: readonly ActivityType[], hook: AfterProcessed): void;
  /** Processes one parsed activity with the handler its types select. */
  dispatch(activity: InboundActivity, ctx: JobContext): Promise<HandlerOutcome>;
}

export function createInboxDispatcher(): InboxDispatcher {
  const table = new Map<DispatchKey, ActivityHandler[]>();
  const handledTypes = new Set<ActivityType>();
  const hooks = new Map<ActivityType, AfterProcessed[]>();

  function add(key: DispatchKey, type: ActivityType, handler: ActivityHandler): void {
    if (table.has(key)) throw new Error(`inbox: a handler for "${key}" is already registered`);
    table.set(key, [handler]);
    handledTypes.add(type);
  }

  /** The handlers for an activity: the exact object type, the type one level down, then any object. */
  function resolve(parsed: ParsedActivity, type: ActivityType): ActivityHandler[] | undefined {
    const { objectType, object } = parsed;
    if (isObjectType(objectType)) {
      const exact = table.get(keyOf(type, objectType));
      if (exact) return exact;
      if (isActivityType(objectType) && typeof object === 'object') {
        const inner = object.object;
        const innerType = typeof inner === 'object' && inner !== null ? (inner as { type?: unknown }).type : undefined;
        const nested = isObjectType(innerType) ? table.get(keyOf(type, innerType)) : undefined;
        if (nested) return nested;
      }
    }
    return table.get(keyOf(type, '*'));
  }

  return {
    on<T extends ActivityType>(type: T, objectTypeOrHandler: ObjectType | ActivityHandler<T>, maybeHandler?: ActivityHandler<T>) {
      if (typeof objectTypeOrHandler === 'function') add(keyOf(type, '*'), type, objectTypeOrHandler as ActivityHandler);
      else add(keyOf(type, objectTypeOrHandler), type, maybeHandler as ActivityHandler);
    },

    orElse(type, handler) {
      const chain = table.get(keyOf(type, '*'));
      if (!chain) throw new Error(`inbox: orElse("${type}") before any handler of "${type}"`);
      chain.push(handler as ActivityHandler);
    },

    afterProcessed(types, hook) {
      for (const type of types) hooks.set(type, [...(hooks.get(type) ?? []), hook]);
    },

    async dispatch(activity, ctx) {
      const type = activity.type;
      const chain = handledTypes.has(type) ? resolve(activity.parsed, type) : undefined;
      if (!chain) {
        if (!handledTypes.has(type)) return { status: 'skipped', why: `type ${type} is not handled` };
        return { status: 'skipped', why: `${type} of ${activity.parsed.objectType?.slice(0, 100) ?? 'an unknown object'} is not handled` };
      }
      let outcome: HandlerOutcome = { status: 'skipped', why: 'no handler' };
      for (const handler of chain) {
        outcome = await handler(activity, ctx);
        if (outcome.status !== 'skipped') break;
      }
      if (outcome.status === 'processed') {
        for (const hook of hooks.get(type) ?? []) await hook(activity);
      }
      return outcome;
    },
  };
}
