namespace Bulwark.Client.Contracts;

/// <summary>
/// Stable <c>code</c> values of RFC 9457 problem details. Clients may switch on these; they never change meaning.
/// </summary>
public static class ErrorCodes
{
    // Request envelope
    public const string BodyTooLarge = "request.body-too-large";
    public const string UnsupportedMediaType = "request.unsupported-media-type";
    public const string MalformedJson = "request.malformed-json";
    public const string InvalidRequest = "request.invalid";
    public const string AuditEmpty = "audit.empty";

    // Incidents and containment
    public const string IncidentNotFound = "incident.not-found";
    public const string IncidentInvalidTransition = "incident.invalid-transition";
    public const string IncidentChecklistIncomplete = "incident.checklist-incomplete";
    public const string IncidentInvalid = "incident.invalid";
    public const string ContainmentInvalid = "containment.invalid";
    public const string ContainmentNotFound = "containment.not-found";
    public const string ContainmentOwnNetwork = "containment.own-network";
    public const string ContainmentNetworkTooWide = "containment.network-too-wide";
    public const string NetworkBlocked = "containment.network-blocked";
    public const string Lockdown = "containment.lockdown";
    public const string Frozen = "containment.frozen";
    public const string ModelQuarantined = "serving.model-quarantined";
    public const string QueryBudgetExhausted = "serving.query-budget-exhausted";
    public const string OutOfDistribution = "serving.out-of-distribution";
    public const string NotFound = "request.not-found";
    public const string RateLimited = "request.rate-limited";
    public const string Internal = "server.internal-error";

    // Authentication and authorization
    public const string Unauthenticated = "auth.unauthenticated";
    public const string Forbidden = "auth.forbidden";
    public const string StepUpRequired = "auth.step-up-required";
    public const string LoginFailed = "auth.login-failed";
    public const string MfaRequired = "auth.mfa-required";
    public const string RefreshInvalid = "auth.refresh-invalid";

    // Datasets
    public const string CsvMalformed = "dataset.csv-malformed";
    public const string DatasetTooLarge = "dataset.too-large";
    public const string DatasetInvalid = "dataset.invalid";
    public const string DatasetNotFound = "dataset.not-found";
    public const string DatasetIntegrityFailed = "dataset.integrity-failed";
    public const string DatasetPanDetected = "dataset.pan-detected";
    public const string DatasetTagConflict = "dataset.tag-conflict";

    // Training and jobs
    public const string TrainingInvalid = "training.invalid-request";
    public const string TrainingFailed = "training.failed";
    public const string TrainingInterrupted = "training.interrupted";
    public const string JobNotFound = "job.not-found";

    // Registry
    public const string ModelNotFound = "registry.model-not-found";
    public const string VersionNotFound = "registry.version-not-found";
    public const string FormatUnsupported = "registry.format-unsupported";
    public const string OnnxInvalid = "registry.onnx-invalid";
    public const string SchemaInvalid = "registry.schema-invalid";
    public const string SignatureInvalid = "registry.signature-invalid";
    public const string DigestMismatch = "registry.digest-mismatch";
    public const string InvalidStageTransition = "registry.invalid-stage";
    public const string StageTampered = "registry.stage-tampered";
    public const string ReleaseMismatch = "registry.release-mismatch";
    public const string SelfApproval = "registry.self-approval";
    public const string ApprovalRequired = "registry.approval-required";
    public const string AlreadyApproved = "registry.already-approved";
    public const string GateFailed = "registry.gate-failed";
    public const string BundleInvalid = "registry.bundle-invalid";
    public const string SignerUntrusted = "registry.signer-untrusted";
    public const string PathUnsafe = "registry.path-unsafe";
    public const string SignatureRequired = "registry.signature-required";
    public const string ArchiveUnsafe = "registry.archive-unsafe";
    public const string KerasLambda = "registry.keras-lambda";
    public const string TensorFlowFileOp = "registry.tensorflow-file-op";
    public const string ChallengerNotNewer = "registry.challenger-not-newer";
    public const string ChallengerInvalid = "registry.challenger-invalid";
    public const string ChallengerTampered = "registry.challenger-tampered";

    // Monitoring
    public const string MonitoringInvalid = "monitoring.invalid";
    public const string PredictionUnknown = "monitoring.prediction-unknown";
    public const string DuplicateFeedback = "monitoring.duplicate-feedback";
    public const string FeedbackBatchNotFound = "monitoring.batch-not-found";
    public const string FeedbackBatchNotHeld = "monitoring.batch-not-held";
    public const string FeedbackSelfReview = "monitoring.self-review";

    // Serving
    public const string ModelNotReady = "serving.model-not-ready";
    public const string InputInvalid = "serving.input-invalid";
    public const string NonFiniteNumber = "serving.non-finite-number";
    public const string UnknownFeature = "serving.unknown-feature";
    public const string DuplicateFeature = "serving.duplicate-feature";
    public const string MissingFeature = "serving.missing-feature";
    public const string WrongType = "serving.wrong-type";
    public const string OutOfRange = "serving.out-of-range";
    public const string UnknownCategory = "serving.unknown-category";
    public const string ShapeMismatch = "serving.shape-mismatch";
    public const string BatchTooLarge = "serving.batch-too-large";
    public const string TooDeep = "serving.too-deep";
    public const string RuntimeError = "serving.runtime-error";

    // Keys
    public const string KeyNotFound = "key.not-found";
    public const string ScopeInvalid = "key.scope-invalid";

    // Projects
    public const string ProjectNotFound = "project.not-found";
    public const string ProjectInvalid = "project.invalid";
    public const string ProjectExists = "project.exists";

    // Key ring (master keys)
    public const string KeyRingInvalid = "keyring.invalid";
    public const string KeyVersionNotFound = "keyring.version-not-found";
    public const string KeyVersionIsPrimary = "keyring.primary";
    public const string KeyVersionInvalidState = "keyring.invalid-state";
    public const string KeyVersionDerivationRoot = "keyring.derivation-root";
    public const string KeyObjectsRemain = "keyring.objects-remain";
    public const string KeyProviderReadOnly = "keyring.read-only-provider";
    public const string KeyDestroySameApprover = "keyring.same-approver";
    public const string KeyDestroyNotPending = "keyring.no-pending-destroy";
    public const string KeyDestroyConfirmation = "keyring.confirmation-required";

    // Data under a key version the ring refuses (503: intact data, operator action needed)
    public const string CryptoKeyDisabled = "crypto.key-disabled";
    public const string CryptoKeyDestroyed = "crypto.key-destroyed";
    public const string CryptoKeyBelowMinimum = "crypto.key-below-minimum";
    public const string CryptoKeyUnknown = "crypto.key-unknown";

    // Privacy (data-subject rights, retention)
    public const string PrivacySubjectInvalid = "privacy.subject-invalid";
    public const string PrivacyInvalid = "privacy.invalid";
    public const string RetentionBelowFloor = "privacy.retention-below-floor";
    public const string ErasureFailed = "privacy.erasure-failed";

    // Break glass and compliance evidence
    public const string BreakGlassInvalid = "break-glass.invalid";
    public const string BreakGlassNotEligible = "break-glass.not-eligible";
    public const string BreakGlassDisabled = "break-glass.disabled";
    public const string BreakGlassAlreadyActive = "break-glass.already-active";
    public const string BreakGlassNotFound = "break-glass.not-found";
    public const string BreakGlassEnded = "break-glass.ended";
    public const string ComplianceFrameworkUnknown = "compliance.framework-unknown";
}
