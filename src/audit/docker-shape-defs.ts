/**
 * The shapes of the docker JSON the audit reads (`docker-types.ts`), checked before anything reads
 * it: what docker answers and what a snapshot file holds. A field of another type is one clear
 * message naming the field (`services[3].Spec.Mode.Replicated.Replicas is "3" (a string), expected
 * a number`), never a crash further on. `null` counts as absent, as the engine sends it for empty
 * fields. Fields the audit does not read are not checked (engines add fields in every version).
 * The check is in `docker-shapes.ts`; for each exported `NAME_SHAPE` the build writes a
 * straight-line test `fitsName` into `src/generated/docker-shape-fits.ts`
 * (`scripts/build-shape-fits.mjs`), which `docker-shapes.ts` maps the shape to.
 */

export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  /** anything: a field kept but never read */
  | 'any'
  | { list: Shape }
  | { map: Shape }
  | { object: Record<string, Shape>; required?: readonly string[] };

const str = 'string';
const num = 'number';
const bool = 'boolean';
const list = (of: Shape): Shape => ({ list: of });
const map = (of: Shape): Shape => ({ map: of });
const obj = (fields: Record<string, Shape>, required?: readonly string[]): Shape => ({ object: fields, required });

const labels = map(str);
const strings = list(str);
const resources = obj({ NanoCPUs: num, MemoryBytes: num, Pids: num });
const updateConfig = obj({ Parallelism: num, Delay: num, FailureAction: str, Monitor: num, MaxFailureRatio: num, Order: str });
const networkAttachments = list(obj({ Target: str, Aliases: strings }));
const fileReference = obj({
  File: obj({ Name: str, UID: str, GID: str, Mode: num }),
  SecretID: str,
  SecretName: str,
  ConfigID: str,
  ConfigName: str,
});

export const INFO_SHAPE: Shape = obj({
  ID: str,
  Name: str,
  NCPU: num,
  MemTotal: num,
  ServerVersion: str,
  OperatingSystem: str,
  Swarm: obj({
    NodeID: str,
    NodeAddr: str,
    LocalNodeState: str,
    ControlAvailable: bool,
    Error: str,
    RemoteManagers: list(obj({ NodeID: str, Addr: str })),
    Nodes: num,
    Managers: num,
    Cluster: obj({
      ID: str,
      CreatedAt: str,
      Spec: obj({
        Name: str,
        Orchestration: obj({ TaskHistoryRetentionLimit: num }),
        CAConfig: obj({ NodeCertExpiry: num }),
        EncryptionConfig: obj({ AutoLockManagers: bool }),
      }),
      TLSInfo: obj({ TrustRoot: str }),
      RootRotationInProgress: bool,
    }),
  }),
});

export const NODE_SHAPE: Shape = obj(
  {
    ID: str,
    Spec: obj({ Name: str, Labels: labels, Role: str, Availability: str }),
    Description: obj({
      Hostname: str,
      Platform: obj({ Architecture: str, OS: str }),
      Resources: obj({ NanoCPUs: num, MemoryBytes: num }),
      Engine: obj({ EngineVersion: str, Labels: labels }),
    }),
    Status: obj({ State: str, Message: str, Addr: str }),
    ManagerStatus: obj({ Leader: bool, Reachability: str, Addr: str }),
  },
  ['ID'],
);

const containerSpec = obj({
  Image: str,
  Labels: labels,
  Command: strings,
  Args: strings,
  Hostname: str,
  Env: strings,
  Dir: str,
  User: str,
  Groups: strings,
  Privileges: obj({ NoNewPrivileges: bool, Seccomp: obj({ Mode: str, Profile: str }), AppArmor: obj({ Mode: str }) }),
  Init: bool,
  TTY: bool,
  OpenStdin: bool,
  ReadOnly: bool,
  Mounts: list(
    obj({
      Type: str,
      Source: str,
      Target: str,
      ReadOnly: bool,
      Consistency: str,
      BindOptions: obj({ Propagation: str, NonRecursive: bool }),
      VolumeOptions: obj({ NoCopy: bool, Labels: labels, DriverConfig: obj({ Name: str, Options: map(str) }) }),
      TmpfsOptions: obj({ SizeBytes: num, Mode: num, Options: list(strings) }),
    }),
  ),
  StopSignal: str,
  StopGracePeriod: num,
  Healthcheck: obj({ Test: strings, Interval: num, Timeout: num, StartPeriod: num, StartInterval: num, Retries: num }),
  Hosts: strings,
  DNSConfig: obj({ Nameservers: strings, Search: strings, Options: strings }),
  Secrets: list(fileReference),
  Configs: list(fileReference),
  Isolation: str,
  Sysctls: map(str),
  CapabilityAdd: strings,
  CapabilityDrop: strings,
  Ulimits: list(obj({ Name: str, Soft: num, Hard: num })),
});

const taskResources = obj({ Limits: resources, Reservations: resources });

export const SERVICE_SHAPE: Shape = obj(
  {
    ID: str,
    CreatedAt: str,
    UpdatedAt: str,
    Spec: obj(
      {
        Name: str,
        Labels: labels,
        TaskTemplate: obj({
          ContainerSpec: containerSpec,
          Resources: taskResources,
          RestartPolicy: obj({ Condition: str, Delay: num, MaxAttempts: num, Window: num }),
          Placement: obj({ Constraints: strings, Preferences: list(obj({ Spread: obj({ SpreadDescriptor: str }) })), MaxReplicas: num }),
          Networks: networkAttachments,
          LogDriver: obj({ Name: str, Options: map(str) }),
        }),
        Mode: obj({
          Replicated: obj({ Replicas: num }),
          Global: obj({}),
          ReplicatedJob: obj({ MaxConcurrent: num, TotalCompletions: num }),
          GlobalJob: obj({}),
        }),
        Networks: networkAttachments,
        UpdateConfig: updateConfig,
        RollbackConfig: updateConfig,
        EndpointSpec: obj({
          Mode: str,
          Ports: list(obj({ Name: str, Protocol: str, TargetPort: num, PublishedPort: num, PublishMode: str })),
        }),
      },
      ['Name'],
    ),
    UpdateStatus: obj({ State: str, StartedAt: str, CompletedAt: str, Message: str }),
    JobStatus: obj({ JobIteration: obj({ Index: num }), LastExecution: str }),
  },
  ['ID', 'Spec'],
);

export const TASK_SHAPE: Shape = obj(
  {
    ID: str,
    ServiceID: str,
    NodeID: str,
    Slot: num,
    CreatedAt: str,
    UpdatedAt: str,
    Spec: obj({ Resources: taskResources }),
    Status: obj({ Timestamp: str, State: str, Message: str, Err: str, ContainerStatus: obj({ ExitCode: num }) }),
    DesiredState: str,
    JobIteration: obj({ Index: num }),
  },
  ['ID', 'ServiceID'],
);

/** `docker network inspect`: a network by the id a service spec names. */
export const NETWORK_SHAPE: Shape = obj({ Id: str, Name: str, Driver: str, Scope: str, Ingress: bool, Options: map(str) }, ['Id', 'Name']);

/** A network as a snapshot keeps it (`trimNetwork`). */
export const SNAPSHOT_NETWORK_SHAPE: Shape = obj({ ID: str, Name: str, Driver: str, Scope: str, Ingress: bool, Options: obj({ encrypted: str }) }, ['ID', 'Name']);
