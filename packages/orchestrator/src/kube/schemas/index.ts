import type { Schema } from './common.js';
import { deploymentSchema } from './deployment.js';
import { horizontalPodAutoscalerSchema } from './hpa.js';
import { jobSchema } from './job.js';
import { persistentVolumeClaimSchema } from './pvc.js';
import { serviceSchema } from './service.js';

/** The schemas by `<apiVersion>/<kind>`, e.g. "apps/v1/Deployment", for a manifest checker to pick from. */
export const kubernetesSchemas: Readonly<Record<string, Schema>> = {
  'apps/v1/Deployment': deploymentSchema,
  'batch/v1/Job': jobSchema,
  'autoscaling/v2/HorizontalPodAutoscaler': horizontalPodAutoscalerSchema,
  'v1/Service': serviceSchema,
  'v1/PersistentVolumeClaim': persistentVolumeClaimSchema,
};

export type { Schema };
