/** Platform configs used by the tests: a small HA cluster as the run book describes it. */
import type { PlatformConfigInput } from "../../ops/platform/config";

export function haPlatform(): PlatformConfigInput {
    return {
        ssh: { user: "ec2-user", port: 22 },
        hosts: [
            { name: "master-1", instanceType: "m5.xlarge", availabilityZone: "us-east-1a" },
            { name: "master-2", instanceType: "m5.xlarge", availabilityZone: "us-east-1b" },
            { name: "master-3", instanceType: "m5.xlarge", availabilityZone: "us-east-1c" },
            { name: "worker-1", instanceType: "r5.2xlarge", availabilityZone: "us-east-1a" },
            { name: "worker-2", instanceType: "r5.2xlarge", availabilityZone: "us-east-1b" },
            { name: "worker-3", instanceType: "r5.2xlarge", availabilityZone: "us-east-1c" },
            { name: "app-1", instanceType: "m5.large", availabilityZone: "us-east-1a" },
        ],
        services: {
            postgres: "master-3",
            zookeeper: ["master-1", "master-2", "master-3"],
            journalnodes: ["master-1", "master-2", "master-3"],
            namenodes: ["master-1", "master-2"],
            datanodes: ["worker-1", "worker-2", "worker-3"],
            resourcemanagers: ["master-1", "master-2"],
            nodemanagers: ["worker-1", "worker-2", "worker-3"],
            accumuloMasters: ["master-1", "master-2"],
            tabletServers: ["worker-1", "worker-2", "worker-3"],
            kafkaBrokers: ["worker-1", "worker-2", "worker-3"],
            spark: ["master-3"],
            accumuloMonitor: "master-3",
            accumuloGc: "master-2",
            applicationServer: "app-1",
            webApp: "app-1",
        },
        backup: { bucket: "koverse-backups", prefix: "koverse/prod" },
    };
}

/** The smallest platform the schema accepts: everything on one host, no HA. */
export function singleHostPlatform(): PlatformConfigInput {
    const host = "solo";
    return {
        hosts: [{ name: host, instanceType: "m5.4xlarge", availabilityZone: "us-east-1a" }],
        services: {
            postgres: host,
            zookeeper: [host],
            namenodes: [host],
            datanodes: [host],
            resourcemanagers: [host],
            nodemanagers: [host],
            accumuloMasters: [host],
            tabletServers: [host],
            accumuloMonitor: host,
            accumuloGc: host,
            applicationServer: host,
            webApp: host,
        },
    };
}
