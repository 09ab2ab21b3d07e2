/** EC2.3: every EBS volume attached to an instance (root and additional) is encrypted. */
import { resourceRule } from "../control";

export const ec2_3 = resourceRule(
    {
        id: "EC2.3",
        title: "Attached Amazon EBS volumes should be encrypted at-rest",
        severity: "medium",
        enforcementLevel: "mandatory",
        remediation: "set encrypted: true on rootBlockDevice, every ebsBlockDevices entry and every aws.ebs.Volume",
    },
    {
        "aws:ec2/instance:Instance": (p) => [
            ...(p.rootBlockDevice?.encrypted === true ? [] : ["the root volume is not encrypted"]),
            ...((p.ebsBlockDevices ?? []) as { deviceName?: string; encrypted?: boolean }[])
                .filter((v) => v.encrypted !== true)
                .map((v) => `volume ${v.deviceName ?? "(unnamed)"} is not encrypted`),
        ],
        "aws:ebs/volume:Volume": (p) => (p.encrypted === true ? [] : ["the volume is not encrypted"]),
    },
);
