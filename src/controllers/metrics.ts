/**
 * The controllers' Prometheus metrics, named as client-go's workqueue metrics that
 * kube-controller-manager exports (`name` = the queue, i.e. the controller).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const controllerRegistry = new Registry();

export const workqueueMetrics = {
  adds: new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers: [controllerRegistry] }),
  depth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers: [controllerRegistry] }),
  retries: new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers: [controllerRegistry] }),
  workDuration: new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.', labelNames: ['name'], buckets: [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10], registers: [controllerRegistry] }),
};
