/**
 * The ports the runbooks' services listen on. Admin and data ports must never be open to the world;
 * the security tests read ADMIN_AND_DATA_PORTS.
 */
export interface PortRange {
    readonly from: number;
    readonly to: number;
    readonly service: string;
}

const p = (from: number, service: string, to = from): PortRange => ({ from, to, service });

export const SSH = p(22, "ssh");
export const HTTPS = p(443, "https");
export const SEARCH_HTTP = p(9200, "search http");
export const SEARCH_TRANSPORT = p(9300, "search transport");
/** Kraken's origin server (HTTP; serves blobs and POST /repair). */
export const ORIGIN_HTTP = p(15002, "kraken origin");

/** ZooKeeper client, quorum and election (binder in Triton, ZooKeeper in Koverse). */
export const ZOOKEEPER = [p(2181, "zookeeper client"), p(2888, "zookeeper quorum"), p(3888, "zookeeper election")];
export const POSTGRES = p(5432, "postgresql");
export const MORAY = p(2020, "moray");

/** Hadoop 3 / Accumulo 2 defaults for the Koverse run book's layers (Ambari's default ports). */
export const PLATFORM_PORTS: readonly PortRange[] = [
    ...ZOOKEEPER,
    POSTGRES,
    p(8485, "hdfs journalnode rpc"),
    p(8480, "hdfs journalnode http"),
    p(8020, "hdfs namenode rpc"),
    p(9870, "hdfs namenode http"),
    p(9864, "hdfs datanode http"),
    p(9866, "hdfs datanode data"),
    p(9867, "hdfs datanode ipc"),
    p(8030, "yarn resourcemanager", 8033),
    p(8088, "yarn resourcemanager http"),
    p(8040, "yarn nodemanager", 8042),
    p(13562, "mapreduce shuffle"),
    p(9997, "accumulo tablet server"),
    p(9999, "accumulo master"),
    p(50091, "accumulo gc"),
    p(9995, "accumulo monitor"),
    p(4560, "accumulo monitor log4j"),
    p(9092, "kafka"),
    p(7077, "spark master"),
    p(7080, "koverse server"),
    p(8080, "koverse web app"),
];

/** Every admin or data port of the platform: none of these may accept 0.0.0.0/0. */
export const ADMIN_AND_DATA_PORTS: readonly PortRange[] = [SSH, SEARCH_HTTP, SEARCH_TRANSPORT, ORIGIN_HTTP, MORAY, ...PLATFORM_PORTS];

export function overlaps(a: { from: number; to: number }, b: { from: number; to: number }): boolean {
    return a.from <= b.to && b.from <= a.to;
}
