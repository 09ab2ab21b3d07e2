/**
 * The services of the Koverse platform (run book "Distributed System Operations"), the layer each
 * belongs to, and the systemd unit that runs it.
 *
 * Default units follow the Bigtop/HDP packaging names; koverse-server and koverse-webapp are the
 * /etc/init.d scripts the Koverse RPMs install, which systemd runs through systemd-sysv-generator.
 * Every unit can be overridden in the platform config (`units`).
 */

/** The run book's four layers, bottom-up ("Total System Startup"). */
export const LAYERS = [
    { number: 1, name: "coordination", title: "Coordination Layer" },
    { number: 2, name: "data-storage", title: "Data Storage Layer" },
    { number: 3, name: "data-services", title: "Data Services Layer" },
    { number: 4, name: "application", title: "Application Layer" },
] as const;

export type LayerNumber = (typeof LAYERS)[number]["number"];

export const SERVICE_NAMES = [
    "postgresql",
    "zookeeper",
    "journalnode",
    "namenode",
    "datanode",
    "resourcemanager",
    "nodemanager",
    "accumulo-master",
    "accumulo-tserver",
    "kafka",
    "spark",
    "accumulo-monitor",
    "accumulo-gc",
    "koverse-server",
    "koverse-webapp",
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Keys of `services` in the platform config. */
export type PlacementKey =
    | "postgres"
    | "zookeeper"
    | "journalnodes"
    | "namenodes"
    | "datanodes"
    | "resourcemanagers"
    | "nodemanagers"
    | "accumuloMasters"
    | "tabletServers"
    | "kafkaBrokers"
    | "spark"
    | "accumuloMonitor"
    | "accumuloGc"
    | "applicationServer"
    | "webApp";

export interface ServiceSpec {
    readonly name: ServiceName;
    /** Where the config places it. */
    readonly placement: PlacementKey;
    readonly layer: LayerNumber;
    readonly title: string;
    readonly defaultUnit: string;
    /**
     * A worker process (run book: "worker processes, tablet servers, data nodes, kafka brokers"):
     * one instance can be lost and the rest take over its workload.
     */
    readonly worker: boolean;
}

export const SERVICES: readonly ServiceSpec[] = [
    { name: "postgresql", placement: "postgres", layer: 1, title: "PostgreSQL", defaultUnit: "postgresql", worker: false },
    { name: "zookeeper", placement: "zookeeper", layer: 1, title: "ZooKeeper", defaultUnit: "zookeeper", worker: false },
    { name: "journalnode", placement: "journalnodes", layer: 1, title: "HDFS JournalNode", defaultUnit: "hadoop-hdfs-journalnode", worker: false },
    { name: "namenode", placement: "namenodes", layer: 2, title: "HDFS NameNode", defaultUnit: "hadoop-hdfs-namenode", worker: false },
    { name: "datanode", placement: "datanodes", layer: 2, title: "HDFS DataNode", defaultUnit: "hadoop-hdfs-datanode", worker: true },
    {
        name: "resourcemanager",
        placement: "resourcemanagers",
        layer: 3,
        title: "YARN ResourceManager",
        defaultUnit: "hadoop-yarn-resourcemanager",
        worker: false,
    },
    { name: "nodemanager", placement: "nodemanagers", layer: 3, title: "YARN NodeManager", defaultUnit: "hadoop-yarn-nodemanager", worker: true },
    { name: "accumulo-master", placement: "accumuloMasters", layer: 3, title: "Accumulo Master", defaultUnit: "accumulo-master", worker: false },
    { name: "accumulo-tserver", placement: "tabletServers", layer: 3, title: "Accumulo Tablet Server", defaultUnit: "accumulo-tserver", worker: true },
    { name: "kafka", placement: "kafkaBrokers", layer: 3, title: "Kafka Broker", defaultUnit: "kafka", worker: true },
    { name: "spark", placement: "spark", layer: 3, title: "Spark", defaultUnit: "spark-history-server", worker: false },
    { name: "accumulo-monitor", placement: "accumuloMonitor", layer: 4, title: "Accumulo Monitor", defaultUnit: "accumulo-monitor", worker: false },
    { name: "accumulo-gc", placement: "accumuloGc", layer: 4, title: "Accumulo Garbage Collector", defaultUnit: "accumulo-gc", worker: false },
    { name: "koverse-server", placement: "applicationServer", layer: 4, title: "Koverse Server", defaultUnit: "koverse-server", worker: false },
    { name: "koverse-webapp", placement: "webApp", layer: 4, title: "Koverse Web App", defaultUnit: "koverse-webapp", worker: false },
];

const BY_NAME = new Map(SERVICES.map((s) => [s.name, s]));

export function serviceSpec(name: ServiceName): ServiceSpec {
    const spec = BY_NAME.get(name);
    if (spec === undefined) throw new Error(`unknown service ${name}`);
    return spec;
}

export function layerOf(name: ServiceName): LayerNumber {
    return serviceSpec(name).layer;
}
