/** The labels docker and stackopt put on swarm services, read when a live service becomes the model. */

/** The stack a service belongs to, set by `docker stack deploy`. */
export const STACK_NAMESPACE_LABEL = 'com.docker.stack.namespace';
/** The image the stack file named, set by `docker stack deploy`. */
export const STACK_IMAGE_LABEL = 'com.docker.stack.image';
/** Service labels that carry the sleep policy on a live swarm (`stackopt.sleep-policy.priority=high`). */
export const SLEEP_POLICY_LABEL_PREFIX = 'stackopt.sleep-policy.';
