/** The file names docker compose reads by default, in its order of preference. */
export const DEFAULT_BASES: readonly string[] = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
