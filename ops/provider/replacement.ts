/**
 * Replacement taken from the provider: for every resource type the program declares, which inputs force
 * a replacement (Terraform `ForceNew: true`, a `CustomizeDiff` that calls `ForceNew`, a framework
 * `RequiresReplace` plan modifier, or a native provider's `replaceOnChanges` field tag), and which
 * changes are applied in place but with downtime. Pure data and functions: no Pulumi import, no I/O.
 *
 * Paths are Pulumi property paths as they appear in the evaluated graph's `inputs` (camelCase, list
 * blocks pluralised by the bridge: `ebs_block_device` -> `ebsBlockDevices`, MaxItems:1 blocks are
 * objects: `root_block_device` -> `rootBlockDevice`).
 *
 * Versions. node_modules/@pulumi/aws is 7.48.0; pulumi-aws 7.x bridges terraform-provider-aws v6.x
 * (pulumi/pulumi-aws#5665 "Upgrade terraform-provider-aws to v6 major version", v6.3.0; the latest
 * upgrade PR in the index is pulumi/pulumi-aws#6392, v6.45.0 -> v6.46.0, 2026-05-22). The package.json of
 * @pulumi/aws does not name the upstream version, so the exact v6.x behind 7.48.0 is not pinned here.
 *
 * `verified` says how each entry was established:
 *  - "read": the schema/diff code was read for this table (file and commit in `source`);
 *  - "not re-read": taken from the upstream schema as known, NOT re-read for this table; re-check
 *    before relying on it for anything other than "this type is classified".
 */
import { applyIgnoreChanges, changedPaths, covers, valueAt } from "./paths";

export type Inputs = Record<string, unknown>;

export interface ReplacingPath {
    /** Pulumi property path pattern (`a.b`, `a[*].b`). A change under it forces replacement. */
    readonly path: string;
    /** Optional+Computed upstream: removing the value from the program is not a diff. */
    readonly computed?: true;
}

export interface ConditionalReplace {
    readonly path: string;
    /** Terraform `customdiff.ForceNewIf` and similar: returns the reason when the change forces new. */
    readonly when: (oldInputs: Inputs, newInputs: Inputs) => string | undefined;
    readonly source: string;
}

export interface DowntimeRule {
    readonly path: string;
    /** What the provider does to apply the change in place. */
    readonly effect: string;
    readonly source: string;
    /** The in-place path stops the instance: impossible for an instance of a one-time spot request. */
    readonly stopsInstance: boolean;
}

export interface TypeEntry {
    readonly type: string;
    readonly kind: "custom" | "component" | "provider" | "read";
    /** Upstream resource (Terraform type, or provider/SDK object). */
    readonly upstream: string;
    /** Repository + path (+ function/field) the entry comes from. */
    readonly source: string;
    readonly verified: "read" | "not re-read";
    readonly replacing: readonly ReplacingPath[];
    readonly conditional?: readonly ConditionalReplace[];
    readonly downtime?: readonly DowntimeRule[];
    /** In-place changes worth knowing about (documentation; anything not replacing is in place). */
    readonly inPlaceNotes?: readonly string[];
}

const TF = "hashicorp/terraform-provider-aws";
const EC2_INSTANCE = `${TF} internal/service/ec2/ec2_instance.go resourceInstance() (read from the v6-era mirror zongruxie4/terraform-provider-aws@19bdae64, SchemaVersion 2)`;
const EC2_FLEET = `${TF} internal/service/ec2/ec2_fleet.go resourceFleet() (read from a v5-era copy, ljluestc/terraform-provider-aws@041b99eb; no v6 copy is in the index)`;

const p = (path: string, computed?: true): ReplacingPath => (computed ? { path, computed } : { path });

/**
 * Instance architecture for the `instance_type` CustomizeDiff. Upstream calls DescribeInstanceTypes and
 * compares ProcessorInfo.SupportedArchitectures; offline we read it from the type name: Graviton
 * families carry a `g` in the attribute letters after the generation (m6g, c7gn, r8gd, t4g, x2gd, im4gn,
 * is4gen, hpc7g) plus a1; mac2* is arm64 (Apple silicon). Everything else is x86_64.
 */
export function architectureOf(instanceType: string): "arm64" | "x86_64" {
    const family = instanceType.split(".")[0] ?? "";
    if (family === "a1" || /^mac2/.test(family)) return "arm64";
    const m = /^([a-z]+)(\d+)([a-z-]*)$/.exec(family);
    if (!m) return "x86_64";
    return m[3].includes("g") ? "arm64" : "x86_64";
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function isOneTimeSpot(inputs: Inputs): boolean {
    const imo = inputs.instanceMarketOptions as Inputs | undefined;
    if (!imo || imo.marketType !== "spot") return false;
    const so = imo.spotOptions as Inputs | undefined;
    // EC2 RunInstances defaults SpotInstanceType to one-time.
    return (so?.spotInstanceType ?? "one-time") === "one-time";
}

/**
 * terraform-provider-aws v6 "enhanced region support": every regional resource gets a top-level Optional+Computed
 * `region`, and a change to it forces replacement, except between unset and the provider's own region. The graph does
 * not record the provider's region, so only a change between two set values is reported here.
 */
const REGION_SDK = `${TF} internal/provider/sdkv2/region.go forceNewIfRegionChanges() (hashicorp@0073593e): d.ForceNew("region") when region changes, unless "" <-> provider region`;
const REGION_FW = `${TF} internal/provider/framework/region.go resourceForceNewIfRegionChangesInterceptor.modifyPlan (hashicorp@0df63869): RequiresReplace region when plan region != state region`;
const regionReplace = (source: string): ConditionalReplace => ({
    path: "region",
    source,
    when: (o, n) => {
        const a = str(o.region);
        const b = str(n.region);
        return a !== undefined && b !== undefined && a !== b ? `region ${a} -> ${b} forces replacement` : undefined;
    },
});

/**
 * aws_vpc_security_group_{ingress,egress}_rule: securityGroupRuleResource.ModifyPlan sets RequiresReplace on the old
 * and the new source attribute when the rule's source type changes (sourceAttributeName(): the first non-null of
 * cidr_ipv4, cidr_ipv6, prefix_list_id, referenced_security_group_id). A change of value within one type is
 * ModifySecurityGroupRules in place.
 */
const SG_RULE_FILE = "internal/service/ec2/vpc_security_group_ingress_rule.go (hashicorp@d2b7f56a, framework; v5/v6-era copy)";
const SG_RULE_SOURCES = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"] as const;
const sgRuleSource = (i: Inputs): string | undefined => SG_RULE_SOURCES.find((k) => i[k] !== undefined && i[k] !== null);
const sgRuleSourceReplace: readonly ConditionalReplace[] = SG_RULE_SOURCES.map((k): ConditionalReplace => ({
    path: k,
    source: `${TF} ${SG_RULE_FILE} securityGroupRuleResource.ModifyPlan: response.RequiresReplace = [old source, new source] when sourceAttributeName() changes`,
    when: (o, n) => {
        const a = sgRuleSource(o);
        const b = sgRuleSource(n);
        return a !== b && (a === k || b === k) ? `rule source type ${a ?? "none"} -> ${b ?? "none"} (${k}) forces replacement` : undefined;
    },
}));

const TABLE: readonly TypeEntry[] = [
    {
        type: "aws:ec2/instance:Instance",
        kind: "custom",
        upstream: "aws_instance",
        source: EC2_INSTANCE,
        verified: "read",
        replacing: [
            p("ami", true),
            p("associatePublicIpAddress", true),
            p("availabilityZone", true),
            p("cpuOptions.amdSevSnp", true),
            p("cpuOptions.coreCount", true),
            p("cpuOptions.threadsPerCore", true),
            // ebs_block_device: every sub-field is ForceNew (tags/tagsAll excepted).
            p("ebsBlockDevices[*].deleteOnTermination"),
            p("ebsBlockDevices[*].deviceName"),
            p("ebsBlockDevices[*].encrypted", true),
            p("ebsBlockDevices[*].iops", true),
            p("ebsBlockDevices[*].kmsKeyId", true),
            p("ebsBlockDevices[*].snapshotId", true),
            p("ebsBlockDevices[*].throughput", true),
            p("ebsBlockDevices[*].volumeSize", true),
            p("ebsBlockDevices[*].volumeType", true),
            p("ebsOptimized", true),
            p("enclaveOptions.enabled", true),
            p("ephemeralBlockDevices", true),
            p("hibernation"),
            p("hostId", true),
            p("instanceMarketOptions", true),
            p("keyName", true),
            p("launchTemplate"),
            p("networkInterfaces[*].deleteOnTermination"),
            p("networkInterfaces[*].deviceIndex"),
            p("networkInterfaces[*].networkCardIndex"),
            p("networkInterfaces[*].networkInterfaceId"),
            p("placementGroup", true),
            p("placementGroupId", true),
            p("placementPartitionNumber", true),
            p("primaryNetworkInterface.networkInterfaceId"),
            p("privateDnsNameOptions", true),
            p("privateIp", true),
            p("rootBlockDevice.encrypted", true),
            p("rootBlockDevice.kmsKeyId", true),
            p("secondaryNetworkInterfaces[*].secondarySubnetId"),
            p("secondaryNetworkInterfaces[*].networkCardIndex"),
            p("secondaryNetworkInterfaces[*].deviceIndex"),
            p("secondaryNetworkInterfaces[*].interfaceType"),
            p("secondaryNetworkInterfaces[*].deleteOnTermination"),
            p("secondaryNetworkInterfaces[*].privateIpAddressCount"),
            p("securityGroups", true),
            p("subnetId", true),
            p("tenancy", true),
        ],
        conditional: [
            {
                path: "userData",
                source: `${EC2_INSTANCE} CustomizeDiff customdiff.ForceNewIf("user_data", user_data_replace_on_change)`,
                when: (o, n) =>
                    n.userDataReplaceOnChange === true && o.userData !== n.userData ? "userData changed and userDataReplaceOnChange is true" : undefined,
            },
            {
                path: "userDataBase64",
                source: `${EC2_INSTANCE} CustomizeDiff customdiff.ForceNewIf("user_data_base64", user_data_replace_on_change)`,
                when: (o, n) =>
                    n.userDataReplaceOnChange === true && n.userDataBase64 !== undefined && o.userDataBase64 !== n.userDataBase64
                        ? "userDataBase64 changed and userDataReplaceOnChange is true"
                        : undefined,
            },
            regionReplace(REGION_SDK),
            {
                path: "instanceType",
                source: `${EC2_INSTANCE} CustomizeDiff customdiff.ForceNewIf(instance_type): no common ProcessorInfo.SupportedArchitectures between old and new type`,
                when: (o, n) => {
                    const a = str(o.instanceType);
                    const b = str(n.instanceType);
                    if (!a || !b || a === b) return undefined;
                    return architectureOf(a) !== architectureOf(b)
                        ? `instanceType ${a} -> ${b} changes architecture (${architectureOf(a)} -> ${architectureOf(b)})`
                        : undefined;
                },
            },
            {
                path: "enablePrimaryIpv6",
                source: `${EC2_INSTANCE} CustomizeDiff customdiff.ForceNewIf("enable_primary_ipv6", old && !new)`,
                when: (o, n) =>
                    o.enablePrimaryIpv6 === true && n.enablePrimaryIpv6 === false ? "enablePrimaryIpv6 can be enabled but not disabled in place" : undefined,
            },
            {
                path: "ipv6Addresses",
                source: `${EC2_INSTANCE} CustomizeDiff customdiff.ForceNewIf("ipv6_addresses", changed && ipv6_address_count unchanged)`,
                when: (o, n) =>
                    JSON.stringify(o.ipv6Addresses) !== JSON.stringify(n.ipv6Addresses) &&
                    o.ipv6AddressCount === n.ipv6AddressCount &&
                    n.ipv6Addresses !== undefined
                        ? "ipv6Addresses changed explicitly"
                        : undefined,
            },
        ],
        downtime: [
            {
                path: "instanceType",
                effect: "resourceInstanceUpdate -> modifyInstanceAttributeWithStopStart: stopInstance, ModifyInstanceAttribute(InstanceType), startInstance",
                source: `${EC2_INSTANCE} resourceInstanceUpdate / modifyInstanceAttributeWithStopStart`,
                stopsInstance: true,
            },
            {
                path: "userData",
                effect: "without userDataReplaceOnChange: stopInstance, ModifyInstanceAttribute(UserData), startInstance (user data is only read at first boot by cloud-init)",
                source: `${EC2_INSTANCE} resourceInstanceUpdate / modifyInstanceAttributeWithStopStart`,
                stopsInstance: true,
            },
            {
                path: "userDataBase64",
                effect: "without userDataReplaceOnChange: stop, ModifyInstanceAttribute(UserData), start",
                source: `${EC2_INSTANCE} resourceInstanceUpdate / modifyInstanceAttributeWithStopStart`,
                stopsInstance: true,
            },
            {
                path: "capacityReservationSpecification",
                effect: "stopInstance, ModifyInstanceCapacityReservationAttributes, startInstance",
                source: `${EC2_INSTANCE} resourceInstanceUpdate (capacity_reservation_specification)`,
                stopsInstance: true,
            },
        ],
        inPlaceNotes: [
            "rootBlockDevice.volumeSize/volumeType/iops/throughput: ModifyVolume + waitVolumeModificationComplete, instance keeps running",
            "rootBlockDevice.deleteOnTermination: ModifyInstanceAttribute(BlockDeviceMappings)",
            "metadataOptions.*: ModifyInstanceMetadataOptions",
            "vpcSecurityGroupIds: ModifyNetworkInterfaceAttribute(Groups) on the primary ENI",
            "iamInstanceProfile: ReplaceIamInstanceProfileAssociation (running) or disassociate+associate (stopped)",
            'tags: transparent tagging (@Tags(identifierAttribute="id"))',
            "ipv6AddressCount, secondaryPrivateIps, sourceDestCheck, monitoring, creditSpecification, maintenanceOptions, disableApiStop/Termination: in place",
        ],
    },
    {
        type: "aws:ec2/fleet:Fleet",
        kind: "custom",
        upstream: "aws_ec2_fleet",
        source: EC2_FLEET,
        verified: "read",
        replacing: [
            p("onDemandOptions"),
            p("replaceUnhealthyInstances"),
            p("spotOptions"),
            p("targetCapacitySpecification.defaultTargetCapacityType"),
            p("targetCapacitySpecification.onDemandTargetCapacity"),
            p("targetCapacitySpecification.spotTargetCapacity"),
            p("targetCapacitySpecification.targetCapacityUnitType"),
            p("terminateInstancesWithExpiration"),
            p("type"),
            p("validFrom"),
            p("validUntil"),
        ],
        conditional: [regionReplace(REGION_SDK)],
        inPlaceNotes: [
            "resourceFleetUpdate -> ModifyFleet: context, excessCapacityTerminationPolicy (maintain only), launchTemplateConfigs, targetCapacitySpecification.totalTargetCapacity",
            "terminateInstances: state only (read at DeleteFleets)",
            "resourceFleetCustomizeDiff only validates maintenanceStrategies for non-maintain fleets at create; it forces nothing",
        ],
    },
    {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        kind: "custom",
        upstream: "aws_launch_template",
        source: `${TF} internal/service/ec2/ec2_launch_template.go resourceLaunchTemplate() (read from the v6-era mirror zongruxie4/terraform-provider-aws@0f1a8c17): name, name_prefix Optional+Computed+ForceNew; CustomizeDiff only ComputedIf(default_version/latest_version); every other change creates a new template version`,
        verified: "read",
        replacing: [p("name", true), p("namePrefix", true)],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:ec2/securityGroup:SecurityGroup",
        kind: "custom",
        upstream: "aws_security_group",
        source: `${TF} internal/service/ec2/vpc_security_group.go resourceSecurityGroup() (read from a v5-era copy, ljluestc/terraform-provider-aws@041b99eb; no v6 copy found): name, name_prefix, vpc_id Optional+Computed+ForceNew; description Optional+ForceNew with Default "Managed by Terraform"; ingress/egress updated in place (updateSecurityGroupRules)`,
        verified: "read",
        replacing: [p("name", true), p("namePrefix", true), p("description"), p("vpcId", true)],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        kind: "custom",
        upstream: "aws_default_security_group",
        source: `${TF} internal/service/ec2/vpc_default_security_group.go resourceDefaultSecurityGroup() (read from a v5-era copy, ljluestc/terraform-provider-aws@041b99eb): vpc_id Optional+Computed+ForceNew; name/description Computed only; rules via resourceSecurityGroupUpdate`,
        verified: "read",
        replacing: [p("vpcId", true)],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        kind: "custom",
        upstream: "aws_vpc_security_group_ingress_rule",
        source: `${TF} ${SG_RULE_FILE} securityGroupRuleResource.Schema (security_group_id RequiresReplace) and .ModifyPlan (source-type change RequiresReplace); other rule fields ModifySecurityGroupRules in Update`,
        verified: "read",
        replacing: [p("securityGroupId")],
        conditional: [...sgRuleSourceReplace, regionReplace(REGION_FW)],
    },
    {
        type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        kind: "custom",
        upstream: "aws_vpc_security_group_egress_rule",
        source: `${TF} internal/service/ec2/vpc_security_group_egress_rule.go securityGroupEgressRuleResource (hashicorp@0810b274) embeds securityGroupRuleResource from ${SG_RULE_FILE}: security_group_id RequiresReplace, source-type change RequiresReplace (ModifyPlan)`,
        verified: "read",
        replacing: [p("securityGroupId")],
        conditional: [...sgRuleSourceReplace, regionReplace(REGION_FW)],
    },
    {
        type: "aws:iam/role:Role",
        kind: "custom",
        upstream: "aws_iam_role",
        source: `${TF} internal/service/iam/role.go resourceRole() (read from the v6-era mirror zongruxie4/terraform-provider-aws@04d49412, @V60SDKv2Fix): name, name_prefix Optional+Computed+ForceNew; path Optional+ForceNew with Default "/"; no CustomizeDiff; IAM is global (no region argument)`,
        verified: "read",
        replacing: [p("name", true), p("namePrefix", true), p("path")],
    },
    {
        type: "aws:iam/rolePolicy:RolePolicy",
        kind: "custom",
        upstream: "aws_iam_role_policy",
        source: `${TF} internal/service/iam/role_policy.go resourceRolePolicy() (read from a v5-era copy, hashicorp@02f97af8): name, name_prefix Optional+Computed+ForceNew; role Required+ForceNew; policy in place (PutRolePolicy)`,
        verified: "read",
        replacing: [p("name", true), p("namePrefix", true), p("role")],
    },
    {
        type: "aws:iam/instanceProfile:InstanceProfile",
        kind: "custom",
        upstream: "aws_iam_instance_profile",
        source: `${TF} internal/service/iam/instance_profile.go resourceInstanceProfile() (hashicorp@013f1736, v6-era): name, name_prefix Optional+Computed+ForceNew; path Optional+ForceNew with Default "/"; role in place (resourceInstanceProfileUpdate remove/add role)`,
        verified: "read",
        replacing: [p("name", true), p("namePrefix", true), p("path")],
    },
    {
        type: "aws:kms/key:Key",
        kind: "custom",
        upstream: "aws_kms_key",
        source: `${TF} internal/service/kms/key.go resourceKey() (hashicorp@00a35305, v6-era): custom_key_store_id, xks_key_id Optional+ForceNew; customer_master_key_spec, key_usage Optional+ForceNew with a Default (not Computed: removing them reverts to the default, which replaces); multi_region Optional+Computed+ForceNew`,
        verified: "read",
        replacing: [p("customerMasterKeySpec"), p("keyUsage"), p("multiRegion", true), p("customKeyStoreId"), p("xksKeyId")],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:sns/topic:Topic",
        kind: "custom",
        upstream: "aws_sns_topic",
        source: `${TF} internal/service/sns/topic.go topicSchema / resourceTopic() (hashicorp@00a35305, v6-era): name, name_prefix Optional+Computed+ForceNew; fifo_topic Optional+ForceNew with Default false; resourceTopicCustomizeDiff only validates`,
        verified: "read",
        replacing: [p("name", true), p("namePrefix", true), p("fifoTopic")],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:sns/topicSubscription:TopicSubscription",
        kind: "custom",
        upstream: "aws_sns_topic_subscription",
        source: `${TF} internal/service/sns/topic_subscription.go subscriptionSchema / resourceTopicSubscription() (read from a v5-era copy, hashicorp@04a2e6e5): topic_arn (Pulumi \`topic\`), protocol, endpoint Required+ForceNew; resourceTopicSubscriptionCustomizeDiff only sets/clears filter_policy_scope`,
        verified: "read",
        replacing: [p("topic"), p("protocol"), p("endpoint")],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        kind: "custom",
        upstream: "aws_cloudwatch_metric_alarm",
        source: `${TF} internal/service/cloudwatch/metric_alarm.go resourceMetricAlarm() (hashicorp@055611a6, v6-era): alarm_name (Pulumi \`name\`, auto-named) Required+ForceNew; everything else PutMetricAlarm in place; CustomizeDiff only validates`,
        verified: "read",
        replacing: [p("name", true)],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:sqs/queue:Queue",
        kind: "custom",
        upstream: "aws_sqs_queue",
        source: `${TF} internal/service/sqs/queue.go queueSchema / resourceQueue() (hashicorp@00a35305, v6-era): name, name_prefix Optional+Computed+ForceNew; fifo_queue Optional+ForceNew with Default false; resourceQueueCustomizeDiff only validates/clears kms_data_key_reuse_period_seconds`,
        verified: "read",
        replacing: [p("name", true), p("namePrefix", true), p("fifoQueue")],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:sqs/queuePolicy:QueuePolicy",
        kind: "custom",
        upstream: "aws_sqs_queue_policy",
        source: `${TF} internal/service/sqs/queue_policy.go ResourceQueuePolicy() (read from a v5-era copy, ljluestc/terraform-provider-aws@2c2c948e): queue_url Required+ForceNew; policy in place (queueAttributeHandler.Upsert)`,
        verified: "read",
        replacing: [p("queueUrl")],
        conditional: [regionReplace(REGION_SDK)],
    },
    {
        type: "aws:route53/zone:Zone",
        kind: "custom",
        upstream: "aws_route53_zone",
        source: `${TF} internal/service/route53/zone.go resourceZone() (read from the v6-era mirror zongruxie4/terraform-provider-aws@210617f6): name Required+ForceNew; delegation_set_id Optional+ForceNew; comment, vpc associations, enable_accelerated_recovery in place; Route 53 is global (no region argument)`,
        verified: "read",
        replacing: [p("name"), p("delegationSetId")],
    },
    {
        type: "aws:route53/record:Record",
        kind: "custom",
        upstream: "aws_route53_record",
        source: `${TF} internal/service/route53/record.go resourceRecord() (read from the v6-era mirror zongruxie4/terraform-provider-aws@081fe5f2): zone_id, name, type Required+ForceNew; records/ttl/alias/routing policies/set_identifier via ChangeResourceRecordSets in Update`,
        verified: "read",
        replacing: [p("zoneId"), p("name"), p("type")],
    },
    {
        type: "aws:s3/bucket:Bucket",
        kind: "custom",
        upstream: "aws_s3_bucket",
        source: `${TF} internal/service/s3/bucket.go resourceBucket() (read from the v6-era mirror zongruxie4/terraform-provider-aws@6d895ce6): bucket, bucket_prefix, object_lock_enabled Optional+Computed+ForceNew; object_lock_configuration.object_lock_enabled (deprecated) Optional+ForceNew. Not verified: bucket_namespace (in @pulumi/aws 7.48.0, absent from the copy read)`,
        verified: "read",
        replacing: [p("bucket", true), p("bucketPrefix", true), p("objectLockEnabled", true), p("objectLockConfiguration.objectLockEnabled")],
        conditional: [regionReplace(REGION_SDK)],
    },
    ...(
        [
            // [token, terraform type, file and schema read, replacing]
            [
                "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "aws_s3_bucket_lifecycle_configuration",
                "bucket_lifecycle_configuration.go bucketLifecycleConfigurationResource.Schema (hashicorp@01606926, framework): bucket RequiresReplace; expected_bucket_owner Optional+Computed, UseStateForUnknown + RequiresReplace",
                [p("bucket"), p("expectedBucketOwner", true)],
                REGION_FW,
            ],
            [
                "bucketOwnershipControls:BucketOwnershipControls",
                "aws_s3_bucket_ownership_controls",
                "bucket_ownership_controls.go ResourceBucketOwnershipControls() (read from an older copy, hashicorp@01c08000): bucket Required+ForceNew; no expected_bucket_owner argument; rule in place",
                [p("bucket")],
                REGION_SDK,
            ],
            [
                "bucketPolicy:BucketPolicy",
                "aws_s3_bucket_policy",
                "bucket_policy.go resourceBucketPolicy() (hashicorp@0073593e): bucket Required+ForceNew; no expected_bucket_owner argument; policy in place (PutBucketPolicy)",
                [p("bucket")],
                REGION_SDK,
            ],
            [
                "bucketPublicAccessBlock:BucketPublicAccessBlock",
                "aws_s3_bucket_public_access_block",
                "bucket_public_access_block.go resourceBucketPublicAccessBlock() (hashicorp@01606926): bucket Required+ForceNew; no expected_bucket_owner argument; block/ignore/restrict flags in place",
                [p("bucket")],
                REGION_SDK,
            ],
            [
                "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "aws_s3_bucket_server_side_encryption_configuration",
                "bucket_server_side_encryption_configuration.go resourceBucketServerSideEncryptionConfiguration() (hashicorp@01606926): bucket Required+ForceNew; expected_bucket_owner Optional+ForceNew; rule in place",
                [p("bucket"), p("expectedBucketOwner")],
                REGION_SDK,
            ],
            [
                "bucketVersioning:BucketVersioning",
                "aws_s3_bucket_versioning",
                "bucket_versioning.go ResourceBucketVersioning() (read from an older copy, hashicorp@01c08000): bucket Required+ForceNew; expected_bucket_owner Optional+ForceNew; versioning_configuration/mfa in place",
                [p("bucket"), p("expectedBucketOwner")],
                REGION_SDK,
            ],
        ] as const
    ).map(([tok, tf, read, replacing, region]): TypeEntry => ({
        type: `aws:s3/${tok}`,
        kind: "custom",
        upstream: tf,
        source: `${TF} internal/service/s3/${read}`,
        verified: "read",
        replacing,
        conditional: [regionReplace(region)],
    })),
    {
        type: "aws:ssm/parameter:Parameter",
        kind: "custom",
        upstream: "aws_ssm_parameter",
        source: `${TF} internal/service/ssm/parameter.go resourceParameter() (hashicorp@0073593e, v6-era): name Required+ForceNew; data_type Optional+Computed+ForceNew; CustomizeDiff customdiff.ForceNewIfChange("tier", Advanced -> Standard)`,
        verified: "read",
        replacing: [p("name", true), p("dataType", true)],
        conditional: [
            {
                path: "tier",
                source: `${TF} internal/service/ssm/parameter.go resourceParameter() CustomizeDiff customdiff.ForceNewIfChange("tier", old == Advanced && new == Standard)`,
                when: (o, n) => (o.tier === "Advanced" && n.tier === "Standard" ? "tier Advanced -> Standard cannot be downgraded in place" : undefined),
            },
            regionReplace(REGION_SDK),
        ],
    },
    {
        type: "random:index/randomId:RandomId",
        kind: "custom",
        upstream: "random_id",
        source: "hashicorp/terraform-provider-random internal/provider/resource_id.go idResource.Schema (@04572027): byte_length, prefix RequiresReplace; keepers RequiresReplaceIfValuesNotNull (a change replaces unless it only involves null values)",
        verified: "read",
        replacing: [p("byteLength"), p("keepers"), p("prefix")],
    },
    {
        type: "random:index/randomPassword:RandomPassword",
        kind: "custom",
        upstream: "random_password",
        source: "hashicorp/terraform-provider-random internal/provider/resource_password.go passwordSchemaV3() (@0117aa60): length, special, upper, lower, number, numeric, min_* RequiresReplace (special/upper/lower/min_* carry a Default); keepers RequiresReplaceIfValuesNotNull; override_special RequiresReplaceIf(RequiresReplaceUnlessEmptyStringToNull)",
        verified: "read",
        replacing: ["length", "special", "upper", "lower", "numeric", "number", "minLower", "minUpper", "minNumeric", "minSpecial", "keepers"].map((k) => p(k)),
        conditional: [
            {
                path: "overrideSpecial",
                source: "hashicorp/terraform-provider-random internal/provider/resource_password.go passwordSchemaV3() override_special stringplanmodifier.RequiresReplaceIf(RequiresReplaceUnlessEmptyStringToNull)",
                when: (o, n) =>
                    o.overrideSpecial !== n.overrideSpecial && !(o.overrideSpecial === "" && n.overrideSpecial === undefined)
                        ? 'overrideSpecial changed (only "" -> unset is in place)'
                        : undefined,
            },
        ],
    },
    // hashicorp/terraform-provider-tls (bridged by pulumi/pulumi-tls): every configurable attribute of these four
    // resources carries a RequiresReplace plan modifier and none has an Update that changes anything but the
    // computed `ready_for_renewal`; not re-read for this table (the search index holds no pulumi-tls source).
    {
        type: "tls:index/privateKey:PrivateKey",
        kind: "custom",
        upstream: "tls_private_key",
        source: "hashicorp/terraform-provider-tls internal/provider/resource_private_key.go: algorithm, rsa_bits, ecdsa_curve RequiresReplace",
        verified: "not re-read",
        replacing: [p("algorithm"), p("rsaBits"), p("ecdsaCurve")],
    },
    {
        type: "tls:index/selfSignedCert:SelfSignedCert",
        kind: "custom",
        upstream: "tls_self_signed_cert",
        source: "hashicorp/terraform-provider-tls internal/provider/resource_self_signed_cert.go + common_cert.go: private_key_pem, subject, dns_names, ip_addresses, uris, is_ca_certificate, allowed_uses, validity_period_hours, early_renewal_hours, set_* RequiresReplace",
        verified: "not re-read",
        replacing: [
            "privateKeyPem",
            "subject",
            "dnsNames",
            "ipAddresses",
            "uris",
            "isCaCertificate",
            "allowedUses",
            "validityPeriodHours",
            "earlyRenewalHours",
            "setSubjectKeyId",
            "setAuthorityKeyId",
        ].map((k) => p(k)),
    },
    {
        type: "tls:index/certRequest:CertRequest",
        kind: "custom",
        upstream: "tls_cert_request",
        source: "hashicorp/terraform-provider-tls internal/provider/resource_cert_request.go: private_key_pem, subject, dns_names, ip_addresses, uris RequiresReplace",
        verified: "not re-read",
        replacing: ["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"].map((k) => p(k)),
    },
    {
        type: "tls:index/locallySignedCert:LocallySignedCert",
        kind: "custom",
        upstream: "tls_locally_signed_cert",
        source: "hashicorp/terraform-provider-tls internal/provider/resource_locally_signed_cert.go + common_cert.go: cert_request_pem, ca_private_key_pem, ca_cert_pem, is_ca_certificate, allowed_uses, validity_period_hours, early_renewal_hours, set_subject_key_id RequiresReplace",
        verified: "not re-read",
        replacing: [
            "certRequestPem",
            "caPrivateKeyPem",
            "caCertPem",
            "isCaCertificate",
            "allowedUses",
            "validityPeriodHours",
            "earlyRenewalHours",
            "setSubjectKeyId",
        ].map((k) => p(k)),
    },
    {
        type: "command:local:Command",
        kind: "custom",
        upstream: "pulumi-command local.Command",
        source: 'pulumi/pulumi-command provider/pkg/provider/common/inputs.go ResourceInputs.Triggers `provider:"replaceOnChanges"` (the only such tag; local/base.go BaseInputs and create/update/delete are updates: local/commandController.go Update re-runs `update` or else `create`). The SDK also sets the option itself: @pulumi/command 1.2.1 local/command.js and remote/command.js merge `replaceOnChanges: ["triggers[*]"]` into every Command\'s options, so the engine replaces on a trigger change even when `update` is given (the SDK doc comment "if the update command was provided the resource will be updated" does not describe this version\'s behaviour)',
        verified: "read",
        replacing: [p("triggers")],
    },
    {
        type: "command:remote:Command",
        kind: "custom",
        upstream: "pulumi-command remote.Command",
        source: 'pulumi/pulumi-command provider/pkg/provider/common/inputs.go ResourceInputs.Triggers `provider:"replaceOnChanges"`; remote/command.go CommandInputs (connection, stdin, environment, logging, addPreviousOutputInEnv) carry no replaceOnChanges tag; @pulumi/command 1.2.1 remote/command.js merges `replaceOnChanges: ["triggers[*]"]` into every Command\'s options',
        verified: "read",
        replacing: [p("triggers")],
    },
    {
        type: "pulumi:providers:aws",
        kind: "provider",
        upstream: "provider configuration",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go (2025-era copy, index file 4409803090) providerChanged(): when a resource's provider reference changes, the *new* provider's DiffConfig(old inputs, new inputs) decides, and diff.Replace() makes the resource a replace with ReplaceKeys [\"provider\"]; calculateDependentReplacements() requiresReplacement(): a resource whose provider is in replaceSet is replaced. Which aws provider config keys DiffConfig treats as replacing (pulumi-terraform-bridge) was not read, and the graph does not record which provider a resource uses, so this table lists no replacing config key",
        verified: "read",
        replacing: [],
    },
    {
        type: "pulumi:pulumi:StackReference",
        kind: "read",
        upstream: "StackReference (ReadResource, id = stack name)",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go GenerateReadSteps(): an old resource with a different ID gets a read-replacement",
        verified: "read",
        replacing: [p("name")],
    },
];

/** Packages whose types are component resources of this program: no provider, never replaced by a diff. */
export const COMPONENT_PACKAGES: readonly string[] = ["dataplat"];

const COMPONENT_SOURCE =
    "pulumi/pulumi pkg/resource/deploy/step_generator.go diff(): no provider (component) -> DiffNone if inputs DeepEquals else DiffSome with no ChangedKeys, so applyReplaceOnChanges cannot turn it into a replace";

const byType = new Map(TABLE.map((e) => [e.type, e]));

/** Every classified custom/provider/read type (components are matched by package). */
export const CLASSIFIED_TYPES: readonly string[] = TABLE.map((e) => e.type);

export function entryFor(type: string): TypeEntry {
    const e = byType.get(type);
    if (e) return e;
    const pkg = type.split(":")[0];
    if (COMPONENT_PACKAGES.includes(pkg)) {
        return { type, kind: "component", upstream: "component resource", source: COMPONENT_SOURCE, verified: "read", replacing: [] };
    }
    throw new Error(`unclassified resource type ${type}: add it to ops/provider/replacement.ts with the upstream source of its replacing inputs`);
}

/** The replacing path patterns of a type (unconditional ones, then the conditional ones' paths). */
export function replacingPaths(type: string): string[] {
    const e = entryFor(type);
    return [...e.replacing.map((r) => r.path), ...(e.conditional ?? []).map((c) => c.path)];
}

export interface ResourceOptionsLike {
    readonly replaceOnChanges?: readonly string[];
    readonly ignoreChanges?: readonly string[];
}

export interface DiffVerdict {
    /** Leaf paths that differ after ignoreChanges. */
    readonly changed: string[];
    readonly replace: boolean;
    /** Why it replaces (empty when it does not). */
    readonly because: string[];
}

/**
 * Would `pulumi up` replace a resource of `type` going from `oldInputs` to `newInputs`? Provider
 * replacement (table) plus the `replaceOnChanges` option (step_generator.go applyReplaceOnChanges: an
 * option path that covers a changed path makes it a replace key), after `ignoreChanges`
 * (processIgnoreChanges: ignored paths take the old value).
 */
export function wouldReplace(type: string, oldInputs: Inputs, newInputs: Inputs, options: ResourceOptionsLike = {}): DiffVerdict {
    const e = entryFor(type);
    const news = applyIgnoreChanges(oldInputs, newInputs, options.ignoreChanges ?? []);
    const changed = changedPaths(oldInputs, news);
    const because: string[] = [];
    if (e.kind !== "component") {
        for (const r of e.replacing) {
            const hits = changed.filter((c) => covers(r.path, c) && !(r.computed && valueAt(news, c) === undefined));
            if (hits.length) because.push(`${hits.join(", ")}: forces replacement (${r.path})`);
        }
        for (const c of e.conditional ?? []) {
            const reason = c.when(oldInputs, news);
            if (reason) because.push(reason);
        }
        for (const ro of options.replaceOnChanges ?? []) {
            const hits = changed.filter((c) => covers(ro, c));
            if (hits.length) because.push(`${hits.join(", ")}: replaceOnChanges ${ro}`);
        }
    }
    return { changed, replace: because.length > 0, because };
}

export interface DowntimeVerdict {
    /** In-place changes that stop the instance (or otherwise interrupt it). */
    readonly downtime: boolean;
    readonly because: string[];
    /** The change needs a stop, and the instance belongs to a one-time spot request: EC2 refuses the stop. */
    readonly failsOnOneTimeSpot: boolean;
}

/**
 * In-place changes with downtime (only meaningful when `wouldReplace` says no replace). A one-time spot
 * instance cannot be stopped (AWS EC2 User Guide, "Manage your Spot Instances" > "Stop a Spot Instance":
 * only instances of persistent requests can be stopped), so a stop/start update fails for it.
 */
export function inPlaceWithDowntime(type: string, oldInputs: Inputs, newInputs: Inputs, options: ResourceOptionsLike = {}): DowntimeVerdict {
    const e = entryFor(type);
    const news = applyIgnoreChanges(oldInputs, newInputs, options.ignoreChanges ?? []);
    const changed = changedPaths(oldInputs, news);
    const because: string[] = [];
    let stops = false;
    for (const d of e.downtime ?? []) {
        if (!changed.some((c) => covers(d.path, c))) continue;
        because.push(`${d.path}: ${d.effect}`);
        stops = stops || d.stopsInstance;
    }
    return { downtime: because.length > 0, because, failsOnOneTimeSpot: stops && isOneTimeSpot(oldInputs) };
}

export function allEntries(): readonly TypeEntry[] {
    return TABLE;
}
