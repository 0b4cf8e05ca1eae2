import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routes } from '../routes';
import { routeAccessTable } from './route-access';

test('every MLflow route of the server says what it needs (a missing one would be admin-only), and the table names no route that does not exist', () => {
  const table = routeAccessTable({ grant: () => undefined, renameModel: () => undefined, forgetModel: () => undefined });
  const served = [...routes].flatMap(([path, route]) => Object.keys(route).map((method) => `${method} ${path}`));
  assert.deepEqual(served.filter((key) => !table.has(key)), []);
  assert.deepEqual([...table.keys()].filter((key) => !served.includes(key)), []);
});
