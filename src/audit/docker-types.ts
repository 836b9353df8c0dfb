/**
 * The parts of the Docker Engine API's JSON that the audit reads (`docker info`, `docker node
 * inspect`, `docker service inspect`, `docker inspect --type task`), as the engine returns them:
 * durations in nanoseconds, CPUs in NanoCPUs, memory in bytes. Every field is optional unless the
 * engine always sends it, because engines of different API versions send different subsets.
 */

export interface DockerInfo {
  ID?: string;
  Name?: string;
  NCPU?: number;
  MemTotal?: number;
  ServerVersion?: string;
  OperatingSystem?: string;
  Swarm?: SwarmInfo;
}

export interface SwarmInfo {
  NodeID?: string;
  NodeAddr?: string;
  /** `inactive`, `pending`, `active`, `error`, `locked` */
  LocalNodeState?: string;
  /** true on a manager */
  ControlAvailable?: boolean;
  Error?: string;
  RemoteManagers?: Array<{ NodeID?: string; Addr?: string }> | null;
  Nodes?: number;
  Managers?: number;
  Cluster?: {
    ID?: string;
    CreatedAt?: string;
    Spec?: {
      Name?: string;
      Orchestration?: { TaskHistoryRetentionLimit?: number };
      /** node certificates' lifetime, in ns (docker's default: 90 days) */
      CAConfig?: { NodeCertExpiry?: number } | null;
      EncryptionConfig?: { AutoLockManagers?: boolean } | null;
    };
    /** the root CA certificate (PEM), which every node trusts */
    TLSInfo?: { TrustRoot?: string } | null;
    RootRotationInProgress?: boolean;
  };
}

export interface DockerNode {
  ID: string;
  Spec?: {
    Name?: string;
    Labels?: Record<string, string> | null;
    /** `manager` or `worker` */
    Role?: string;
    /** `active`, `pause`, `drain` */
    Availability?: string;
  };
  Description?: {
    Hostname?: string;
    Platform?: { Architecture?: string; OS?: string };
    Resources?: { NanoCPUs?: number; MemoryBytes?: number };
    Engine?: { EngineVersion?: string; Labels?: Record<string, string> | null };
  };
  Status?: {
    /** `unknown`, `down`, `ready`, `disconnected` */
    State?: string;
    Message?: string;
    Addr?: string;
  };
  ManagerStatus?: {
    Leader?: boolean;
    /** `unknown`, `unreachable`, `reachable` */
    Reachability?: string;
    Addr?: string;
  } | null;
}

export interface ResourceSpec {
  NanoCPUs?: number;
  MemoryBytes?: number;
  Pids?: number;
}

export interface DockerMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null } | null;
  /** `Options` (a list of `[name]` or `[name, value]`) exists from API 1.46 */
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null;
}

export interface Healthcheck {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface FileReference {
  File?: { Name?: string; UID?: string; GID?: string; Mode?: number } | null;
  SecretID?: string;
  SecretName?: string;
  ConfigID?: string;
  ConfigName?: string;
}

export interface ContainerSpec {
  Image?: string;
  Labels?: Record<string, string> | null;
  Command?: string[] | null;
  Args?: string[] | null;
  Hostname?: string;
  Env?: string[] | null;
  Dir?: string;
  User?: string;
  Groups?: string[] | null;
  Privileges?: { NoNewPrivileges?: boolean; Seccomp?: { Mode?: string; Profile?: string } | null; AppArmor?: { Mode?: string } | null } | null;
  Init?: boolean | null;
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Mounts?: DockerMount[] | null;
  StopSignal?: string;
  StopGracePeriod?: number;
  Healthcheck?: Healthcheck | null;
  Hosts?: string[] | null;
  DNSConfig?: { Nameservers?: string[] | null; Search?: string[] | null; Options?: string[] | null } | null;
  Secrets?: FileReference[] | null;
  Configs?: FileReference[] | null;
  Isolation?: string;
  Sysctls?: Record<string, string> | null;
  CapabilityAdd?: string[] | null;
  CapabilityDrop?: string[] | null;
  Ulimits?: Array<{ Name?: string; Soft?: number; Hard?: number }> | null;
}

export interface UpdateConfig {
  Parallelism?: number;
  Delay?: number;
  FailureAction?: string;
  Monitor?: number;
  MaxFailureRatio?: number;
  Order?: string;
}

export interface TaskSpec {
  ContainerSpec?: ContainerSpec | null;
  Resources?: { Limits?: ResourceSpec | null; Reservations?: ResourceSpec | null } | null;
  RestartPolicy?: { Condition?: string; Delay?: number; MaxAttempts?: number; Window?: number } | null;
  Placement?: {
    Constraints?: string[] | null;
    Preferences?: Array<{ Spread?: { SpreadDescriptor?: string } }> | null;
    MaxReplicas?: number;
  } | null;
  Networks?: Array<{ Target?: string; Aliases?: string[] | null }> | null;
  LogDriver?: { Name?: string; Options?: Record<string, string> | null } | null;
}

export interface ServiceSpec {
  Name: string;
  Labels?: Record<string, string> | null;
  TaskTemplate?: TaskSpec;
  Mode?: {
    Replicated?: { Replicas?: number } | null;
    Global?: Record<string, never> | null;
    ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number } | null;
    GlobalJob?: Record<string, never> | null;
  };
  /** where older API versions keep the network attachments (now in TaskTemplate.Networks) */
  Networks?: Array<{ Target?: string; Aliases?: string[] | null }> | null;
  UpdateConfig?: UpdateConfig | null;
  RollbackConfig?: UpdateConfig | null;
  EndpointSpec?: {
    Mode?: string;
    Ports?: Array<{ Name?: string; Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }> | null;
  } | null;
}

export interface DockerService {
  ID: string;
  CreatedAt?: string;
  UpdatedAt?: string;
  Spec: ServiceSpec;
  UpdateStatus?: { State?: string; StartedAt?: string; CompletedAt?: string; Message?: string } | null;
  /** a job's run: the iteration its tasks belong to (0 is left out) and when it started */
  JobStatus?: { JobIteration?: { Index?: number } | null; LastExecution?: string } | null;
}

export interface DockerTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  CreatedAt?: string;
  UpdatedAt?: string;
  /** the resources the task was created with (what the scheduler reserved on its node) */
  Spec?: { Resources?: TaskSpec['Resources'] } | null;
  Status?: {
    Timestamp?: string;
    /** `new` … `running`, `complete`, `shutdown`, `failed`, `rejected`, `remove`, `orphaned` */
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ExitCode?: number } | null;
  };
  DesiredState?: string;
  /** the job run a job's task belongs to (`JobStatus.JobIteration` of its service) */
  JobIteration?: { Index?: number } | null;
}


/** `docker network inspect --format '{{json .}}' ID...`: a network by the id a service spec names. */
export interface DockerNetwork {
  Id: string;
  Name: string;
  Driver?: string;
  Scope?: string;
  Ingress?: boolean;
  /** driver options: an overlay network created with `--opt encrypted` has `encrypted` */
  Options?: Record<string, string> | null;
}

/** `docker inspect --type container` (the parts usage recording reads). */
export interface DockerContainer {
  Id: string;
  Name?: string;
  Created?: string;
  RestartCount?: number;
  State?: {
    Status?: string;
    Running?: boolean;
    OOMKilled?: boolean;
    ExitCode?: number;
    StartedAt?: string;
    FinishedAt?: string;
  };
  Config?: { Labels?: Record<string, string> | null };
  HostConfig?: { Memory?: number; NanoCpus?: number; CpuQuota?: number; CpuPeriod?: number };
}

/** One line of `docker stats --no-stream --format '{{json .}}'`: figures as the CLI prints them. */
export interface DockerContainerStats {
  ID: string;
  Name?: string;
  /** `25.24%` (of one core), `--` when unknown */
  CPUPerc?: string;
  /** `200.8MiB / 512MiB`: the working set, then the limit (or the host's memory) */
  MemUsage?: string;
  /** `3`, `--` when unknown */
  PIDs?: string;
}

/** One line of `docker events --format '{{json .}}'`. */
export interface DockerEvent {
  Type?: string;
  Action?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> | null };
}
