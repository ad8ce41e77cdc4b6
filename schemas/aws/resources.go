package aws

// This file holds the property tables of the typed resource types: the
// commonly used properties of each, with their types, which are required
// and which force a replacement when changed (create-only). They are
// written from the CloudFormation resource reference; a test cross-checks
// them against the provider schemas that cfn-lint ships.

// flag marks a property.
type flag int

const (
	required flag = iota + 1
	createOnly
)

func prop(name string, t Type, flags ...flag) *Property {
	p := &Property{Name: name, Type: t}
	for _, f := range flags {
		switch f {
		case required:
			p.Required = true
		case createOnly:
			p.CreateOnly = true
		}
	}
	return p
}

func object(name string, props ...*Property) *PropertyType {
	return &PropertyType{Name: name, Properties: props}
}

var (
	str     = Type{Kind: KindString}
	integer = Type{Kind: KindInteger}
	boolean = Type{Kind: KindBoolean}
	anyJSON = Type{Kind: KindJSON}
	policy  = Type{Kind: KindPolicy}
	tagList = Type{Kind: KindTag, List: true}
)

func listOf(t Type) Type { t.List = true; return t }
func mapOf(t Type) Type  { t.Map = true; return t }
func obj(pt *PropertyType) Type {
	return Type{Kind: KindObject, Object: pt}
}

// resourceTypes is every typed resource type, ordered by name.
var resourceTypes = []*ResourceType{
	acmCertificate,
	dynamodbTable,
	ecrRepository,
	iamManagedPolicy,
	iamRole,
	kmsKey,
	rdsDBInstance,
	route53RecordSet,
	s3Bucket,
	secretsManagerSecret,
	snsTopic,
	sqsQueue,
	ssmParameter,
}

// AWS::CertificateManager::Certificate

var acmCertificate = &ResourceType{
	Name:       "AWS::CertificateManager::Certificate",
	RefMeaning: "ARN",
	Tags:       TagList,
	Properties: []*Property{
		prop("CertificateAuthorityArn", str, createOnly),
		prop("CertificateTransparencyLoggingPreference", str),
		prop("DomainName", str, required, createOnly),
		prop("DomainValidationOptions", listOf(obj(object("DomainValidationOption",
			prop("DomainName", str, required),
			prop("HostedZoneId", str),
			prop("ValidationDomain", str),
		))), createOnly),
		prop("KeyAlgorithm", str, createOnly),
		prop("SubjectAlternativeNames", listOf(str), createOnly),
		prop("Tags", tagList),
		prop("ValidationMethod", str, createOnly),
	},
}

// AWS::DynamoDB::Table

var (
	dynamoKeySchema = object("KeySchema",
		prop("AttributeName", str, required),
		prop("KeyType", str, required),
	)
	dynamoProjection = object("Projection",
		prop("NonKeyAttributes", listOf(str)),
		prop("ProjectionType", str),
	)
	dynamoProvisionedThroughput = object("ProvisionedThroughput",
		prop("ReadCapacityUnits", integer, required),
		prop("WriteCapacityUnits", integer, required),
	)
)

var dynamodbTable = &ResourceType{
	Name:         "AWS::DynamoDB::Table",
	Ref:          "{name}",
	RefMeaning:   "name",
	NameProperty: "TableName",
	Tags:         TagList,
	Attributes: []Attribute{
		{Name: "Arn", Value: "arn:{partition}:dynamodb:{region}:{account}:table/{name}"},
		{Name: "StreamArn"},
	},
	Properties: []*Property{
		prop("AttributeDefinitions", listOf(obj(object("AttributeDefinition",
			prop("AttributeName", str, required),
			prop("AttributeType", str, required),
		)))),
		prop("BillingMode", str),
		prop("DeletionProtectionEnabled", boolean),
		prop("GlobalSecondaryIndexes", listOf(obj(object("GlobalSecondaryIndex",
			prop("IndexName", str, required),
			prop("KeySchema", listOf(obj(dynamoKeySchema)), required),
			prop("Projection", obj(dynamoProjection), required),
			prop("ProvisionedThroughput", obj(dynamoProvisionedThroughput)),
		)))),
		prop("KeySchema", listOf(obj(dynamoKeySchema)), required),
		prop("LocalSecondaryIndexes", listOf(obj(object("LocalSecondaryIndex",
			prop("IndexName", str, required),
			prop("KeySchema", listOf(obj(dynamoKeySchema)), required),
			prop("Projection", obj(dynamoProjection), required),
		)))),
		prop("PointInTimeRecoverySpecification", obj(object("PointInTimeRecoverySpecification",
			prop("PointInTimeRecoveryEnabled", boolean),
			prop("RecoveryPeriodInDays", integer),
		))),
		prop("ProvisionedThroughput", obj(dynamoProvisionedThroughput)),
		prop("SSESpecification", obj(object("SSESpecification",
			prop("KMSMasterKeyId", str),
			prop("SSEEnabled", boolean, required),
			prop("SSEType", str),
		))),
		prop("StreamSpecification", obj(object("StreamSpecification",
			prop("StreamViewType", str, required),
		))),
		prop("TableClass", str),
		prop("TableName", str, createOnly),
		prop("Tags", tagList),
		prop("TimeToLiveSpecification", obj(object("TimeToLiveSpecification",
			prop("AttributeName", str),
			prop("Enabled", boolean, required),
		))),
	},
}

// AWS::ECR::Repository

var ecrRepository = &ResourceType{
	Name:         "AWS::ECR::Repository",
	Ref:          "{name}",
	RefMeaning:   "name",
	NameProperty: "RepositoryName",
	Tags:         TagList,
	Attributes: []Attribute{
		{Name: "Arn", Value: "arn:{partition}:ecr:{region}:{account}:repository/{name}"},
		{Name: "RepositoryUri", Value: "{account}.dkr.ecr.{region}.{urlsuffix}/{name}"},
	},
	Properties: []*Property{
		prop("EmptyOnDelete", boolean),
		prop("EncryptionConfiguration", obj(object("EncryptionConfiguration",
			prop("EncryptionType", str, required, createOnly),
			prop("KmsKey", str, createOnly),
		)), createOnly),
		prop("ImageScanningConfiguration", obj(object("ImageScanningConfiguration",
			prop("ScanOnPush", boolean),
		))),
		prop("ImageTagMutability", str),
		prop("LifecyclePolicy", obj(object("LifecyclePolicy",
			prop("LifecyclePolicyText", str),
			prop("RegistryId", str),
		))),
		prop("RepositoryName", str, createOnly),
		prop("RepositoryPolicyText", anyJSON),
		prop("Tags", tagList),
	},
}

// AWS::IAM::ManagedPolicy

var iamManagedPolicy = &ResourceType{
	Name:         "AWS::IAM::ManagedPolicy",
	Ref:          "arn:{partition}:iam::{account}:policy/{name}",
	RefMeaning:   "ARN",
	NameProperty: "ManagedPolicyName",
	Attributes: []Attribute{
		{Name: "PolicyArn", Value: "arn:{partition}:iam::{account}:policy/{name}"},
		{Name: "PolicyId"},
		{Name: "DefaultVersionId"},
		{Name: "AttachmentCount"},
		{Name: "IsAttachable"},
	},
	Properties: []*Property{
		prop("Description", str, createOnly),
		prop("Groups", listOf(str)),
		prop("ManagedPolicyName", str, createOnly),
		prop("Path", str, createOnly),
		prop("PolicyDocument", policy, required),
		prop("Roles", listOf(str)),
		prop("Users", listOf(str)),
	},
}

// AWS::IAM::Role

var iamRole = &ResourceType{
	Name:         "AWS::IAM::Role",
	Ref:          "{name}",
	RefMeaning:   "name",
	NameProperty: "RoleName",
	Tags:         TagList,
	Attributes: []Attribute{
		{Name: "Arn", Value: "arn:{partition}:iam::{account}:role/{name}"},
		{Name: "RoleId"},
	},
	Properties: []*Property{
		prop("AssumeRolePolicyDocument", policy, required),
		prop("Description", str),
		prop("ManagedPolicyArns", listOf(str)),
		prop("MaxSessionDuration", integer),
		prop("Path", str, createOnly),
		prop("PermissionsBoundary", str),
		prop("Policies", listOf(obj(object("Policy",
			prop("PolicyDocument", policy, required),
			prop("PolicyName", str, required),
		)))),
		prop("RoleName", str, createOnly),
		prop("Tags", tagList),
	},
}

// AWS::KMS::Key

var kmsKey = &ResourceType{
	Name:       "AWS::KMS::Key",
	RefMeaning: "key id",
	Tags:       TagList,
	Attributes: []Attribute{
		{Name: "Arn"},
		{Name: "KeyId"},
	},
	Properties: []*Property{
		prop("BypassPolicyLockoutSafetyCheck", boolean),
		prop("Description", str),
		prop("EnableKeyRotation", boolean),
		prop("Enabled", boolean),
		prop("KeyPolicy", policy),
		prop("KeySpec", str),
		prop("KeyUsage", str),
		prop("MultiRegion", boolean),
		prop("Origin", str),
		prop("PendingWindowInDays", integer),
		prop("RotationPeriodInDays", integer),
		prop("Tags", tagList),
	},
}

// AWS::RDS::DBInstance

var rdsDBInstance = &ResourceType{
	Name:         "AWS::RDS::DBInstance",
	Ref:          "{name}",
	RefMeaning:   "identifier",
	NameProperty: "DBInstanceIdentifier",
	Tags:         TagList,
	Attributes: []Attribute{
		{Name: "DBInstanceArn", Value: "arn:{partition}:rds:{region}:{account}:db:{name}"},
		{Name: "DbiResourceId"},
		{Name: "Endpoint.Address"},
		{Name: "Endpoint.HostedZoneId"},
		{Name: "Endpoint.Port"},
		{Name: "MasterUserSecret.SecretArn"},
	},
	Properties: []*Property{
		prop("AllocatedStorage", str),
		prop("AllowMajorVersionUpgrade", boolean),
		prop("AutoMinorVersionUpgrade", boolean),
		prop("AvailabilityZone", str),
		prop("BackupRetentionPeriod", integer),
		prop("CACertificateIdentifier", str),
		prop("CopyTagsToSnapshot", boolean),
		prop("DBInstanceClass", str),
		prop("DBInstanceIdentifier", str, createOnly),
		prop("DBName", str, createOnly),
		prop("DBParameterGroupName", str),
		prop("DBSubnetGroupName", str, createOnly),
		prop("DeleteAutomatedBackups", boolean),
		prop("DeletionProtection", boolean),
		prop("EnableCloudwatchLogsExports", listOf(str)),
		prop("EnableIAMDatabaseAuthentication", boolean),
		prop("EnablePerformanceInsights", boolean),
		prop("Engine", str),
		prop("EngineVersion", str),
		prop("Iops", integer),
		prop("KmsKeyId", str, createOnly),
		prop("ManageMasterUserPassword", boolean),
		prop("MasterUserPassword", str),
		prop("MasterUserSecret", obj(object("MasterUserSecret",
			prop("KmsKeyId", str),
		))),
		prop("MasterUsername", str, createOnly),
		prop("MaxAllocatedStorage", integer),
		prop("MonitoringInterval", integer),
		prop("MonitoringRoleArn", str),
		prop("MultiAZ", boolean),
		prop("PerformanceInsightsKMSKeyId", str),
		prop("PerformanceInsightsRetentionPeriod", integer),
		prop("Port", str),
		prop("PreferredBackupWindow", str),
		prop("PreferredMaintenanceWindow", str),
		prop("PubliclyAccessible", boolean),
		prop("StorageEncrypted", boolean, createOnly),
		prop("StorageThroughput", integer),
		prop("StorageType", str),
		prop("Tags", tagList),
		prop("VPCSecurityGroups", listOf(str)),
	},
}

// AWS::Route53::RecordSet

var route53RecordSet = &ResourceType{
	Name:         "AWS::Route53::RecordSet",
	Ref:          "{name}",
	RefMeaning:   "domain name",
	NameProperty: "Name",
	Properties: []*Property{
		prop("AliasTarget", obj(object("AliasTarget",
			prop("DNSName", str, required),
			prop("EvaluateTargetHealth", boolean),
			prop("HostedZoneId", str, required),
		))),
		prop("Comment", str),
		prop("Failover", str),
		prop("GeoLocation", obj(object("GeoLocation",
			prop("ContinentCode", str),
			prop("CountryCode", str),
			prop("SubdivisionCode", str),
		))),
		prop("HealthCheckId", str),
		prop("HostedZoneId", str, createOnly),
		prop("HostedZoneName", str, createOnly),
		prop("MultiValueAnswer", boolean),
		prop("Name", str, required, createOnly),
		prop("Region", str),
		prop("ResourceRecords", listOf(str)),
		prop("SetIdentifier", str),
		prop("TTL", str),
		prop("Type", str, required),
		prop("Weight", integer),
	},
}

// AWS::S3::Bucket

var s3Bucket = &ResourceType{
	Name:         "AWS::S3::Bucket",
	Ref:          "{name}",
	RefMeaning:   "name",
	NameProperty: "BucketName",
	Tags:         TagList,
	Attributes: []Attribute{
		{Name: "Arn", Value: "arn:{partition}:s3:::{name}"},
		{Name: "DomainName", Value: "{name}.s3.{urlsuffix}"},
		{Name: "DualStackDomainName", Value: "{name}.s3.dualstack.{region}.{urlsuffix}"},
		{Name: "RegionalDomainName", Value: "{name}.s3.{region}.{urlsuffix}"},
		{Name: "WebsiteURL"},
	},
	Properties: []*Property{
		prop("AccelerateConfiguration", obj(object("AccelerateConfiguration",
			prop("AccelerationStatus", str, required),
		))),
		prop("AccessControl", str),
		prop("BucketEncryption", obj(object("BucketEncryption",
			prop("ServerSideEncryptionConfiguration", listOf(obj(object("ServerSideEncryptionRule",
				prop("BucketKeyEnabled", boolean),
				prop("ServerSideEncryptionByDefault", obj(object("ServerSideEncryptionByDefault",
					prop("KMSMasterKeyID", str),
					prop("SSEAlgorithm", str, required),
				))),
			))), required),
		))),
		prop("BucketName", str, createOnly),
		prop("CorsConfiguration", obj(object("CorsConfiguration",
			prop("CorsRules", listOf(obj(object("CorsRule",
				prop("AllowedHeaders", listOf(str)),
				prop("AllowedMethods", listOf(str), required),
				prop("AllowedOrigins", listOf(str), required),
				prop("ExposedHeaders", listOf(str)),
				prop("Id", str),
				prop("MaxAge", integer),
			))), required),
		))),
		prop("LifecycleConfiguration", obj(object("LifecycleConfiguration",
			prop("Rules", listOf(obj(object("Rule",
				prop("AbortIncompleteMultipartUpload", obj(object("AbortIncompleteMultipartUpload",
					prop("DaysAfterInitiation", integer, required),
				))),
				prop("ExpirationInDays", integer),
				prop("ExpiredObjectDeleteMarker", boolean),
				prop("Id", str),
				prop("NoncurrentVersionExpiration", obj(object("NoncurrentVersionExpiration",
					prop("NewerNoncurrentVersions", integer),
					prop("NoncurrentDays", integer, required),
				))),
				prop("Prefix", str),
				prop("Status", str, required),
				prop("Transitions", listOf(obj(object("Transition",
					prop("StorageClass", str, required),
					prop("TransitionInDays", integer),
				)))),
			))), required),
		))),
		prop("LoggingConfiguration", obj(object("LoggingConfiguration",
			prop("DestinationBucketName", str),
			prop("LogFilePrefix", str),
		))),
		prop("ObjectLockEnabled", boolean),
		prop("OwnershipControls", obj(object("OwnershipControls",
			prop("Rules", listOf(obj(object("OwnershipControlsRule",
				prop("ObjectOwnership", str),
			))), required),
		))),
		prop("PublicAccessBlockConfiguration", obj(object("PublicAccessBlockConfiguration",
			prop("BlockPublicAcls", boolean),
			prop("BlockPublicPolicy", boolean),
			prop("IgnorePublicAcls", boolean),
			prop("RestrictPublicBuckets", boolean),
		))),
		prop("Tags", tagList),
		prop("VersioningConfiguration", obj(object("VersioningConfiguration",
			prop("Status", str, required),
		))),
	},
}

// AWS::SecretsManager::Secret

var secretsManagerSecret = &ResourceType{
	Name:         "AWS::SecretsManager::Secret",
	RefMeaning:   "ARN",
	NameProperty: "Name",
	Tags:         TagList,
	Attributes: []Attribute{
		{Name: "Id"},
	},
	Properties: []*Property{
		prop("Description", str),
		prop("GenerateSecretString", obj(object("GenerateSecretString",
			prop("ExcludeCharacters", str),
			prop("ExcludeLowercase", boolean),
			prop("ExcludeNumbers", boolean),
			prop("ExcludePunctuation", boolean),
			prop("ExcludeUppercase", boolean),
			prop("GenerateStringKey", str),
			prop("IncludeSpace", boolean),
			prop("PasswordLength", integer),
			prop("RequireEachIncludedType", boolean),
			prop("SecretStringTemplate", str),
		))),
		prop("KmsKeyId", str),
		prop("Name", str, createOnly),
		prop("ReplicaRegions", listOf(obj(object("ReplicaRegion",
			prop("KmsKeyId", str),
			prop("Region", str, required),
		)))),
		prop("SecretString", str),
		prop("Tags", tagList),
	},
}

// AWS::SNS::Topic

var snsTopic = &ResourceType{
	Name:         "AWS::SNS::Topic",
	Ref:          "arn:{partition}:sns:{region}:{account}:{name}",
	RefMeaning:   "ARN",
	NameProperty: "TopicName",
	Tags:         TagList,
	Attributes: []Attribute{
		{Name: "TopicArn", Value: "arn:{partition}:sns:{region}:{account}:{name}"},
		{Name: "TopicName", Value: "{name}"},
	},
	Properties: []*Property{
		prop("ArchivePolicy", anyJSON),
		prop("ContentBasedDeduplication", boolean),
		prop("DisplayName", str),
		prop("FifoTopic", boolean, createOnly),
		prop("KmsMasterKeyId", str),
		prop("SignatureVersion", str),
		prop("Subscription", listOf(obj(object("Subscription",
			prop("Endpoint", str, required),
			prop("Protocol", str, required),
		)))),
		prop("Tags", tagList),
		prop("TopicName", str, createOnly),
		prop("TracingConfig", str),
	},
}

// AWS::SQS::Queue

var sqsQueue = &ResourceType{
	Name:         "AWS::SQS::Queue",
	Ref:          "https://sqs.{region}.{urlsuffix}/{account}/{name}",
	RefMeaning:   "URL",
	NameProperty: "QueueName",
	Tags:         TagList,
	Attributes: []Attribute{
		{Name: "Arn", Value: "arn:{partition}:sqs:{region}:{account}:{name}"},
		{Name: "QueueName", Value: "{name}"},
		{Name: "QueueUrl", Value: "https://sqs.{region}.{urlsuffix}/{account}/{name}"},
	},
	Properties: []*Property{
		prop("ContentBasedDeduplication", boolean),
		prop("DeduplicationScope", str),
		prop("DelaySeconds", integer),
		prop("FifoQueue", boolean, createOnly),
		prop("FifoThroughputLimit", str),
		prop("KmsDataKeyReusePeriodSeconds", integer),
		prop("KmsMasterKeyId", str),
		prop("MaximumMessageSize", integer),
		prop("MessageRetentionPeriod", integer),
		prop("QueueName", str, createOnly),
		prop("ReceiveMessageWaitTimeSeconds", integer),
		prop("RedriveAllowPolicy", anyJSON),
		prop("RedrivePolicy", anyJSON),
		prop("SqsManagedSseEnabled", boolean),
		prop("Tags", tagList),
		prop("VisibilityTimeout", integer),
	},
}

// AWS::SSM::Parameter

var ssmParameter = &ResourceType{
	Name:         "AWS::SSM::Parameter",
	Ref:          "{name}",
	RefMeaning:   "name",
	NameProperty: "Name",
	Tags:         TagMap,
	Attributes: []Attribute{
		{Name: "Type"},
		{Name: "Value"},
	},
	Properties: []*Property{
		prop("AllowedPattern", str),
		prop("DataType", str),
		prop("Description", str),
		prop("Name", str, createOnly),
		prop("Policies", str),
		prop("Tags", mapOf(str)),
		prop("Tier", str),
		prop("Type", str, required),
		prop("Value", str, required),
	},
}
