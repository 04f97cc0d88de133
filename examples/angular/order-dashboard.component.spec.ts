// Nothing here runs Angular's template compiler ahead of time (no @angular/compiler-cli, and
// `tsc` does not read templates), so this spec JIT-compiles the component: a template that does
// not parse (a broken binding, an unclosed @if block) fails here. Rendering it needs a DOM
// renderer (@angular/platform-browser), which the project does not install.
import '@angular/compiler';
import { reflectComponentType } from '@angular/core';
import { expect, it } from 'vitest';
import { OrderDashboardComponent } from './order-dashboard.component.js';

it('compiles the dashboard component: a standalone component with no inputs', () => {
  const mirror = reflectComponentType(OrderDashboardComponent);
  expect(mirror).toMatchObject({ selector: 'app-order-dashboard', isStandalone: true, inputs: [] });
});
