namespace Bulwark.Core.Audit;

/// <summary>
/// Stable numeric audit event codes, in blocks per feature. Never renumber: exported ledgers and SIEM rules rely on them.
/// </summary>
public static class AuditCodes
{
    // 1000–1999 Identity
    public const int ApiKeyCreated = 1000;
    public const int ApiKeyRevoked = 1001;
    public const int AuthenticationFailed = 1010;
    public const int AccessDenied = 1011;
    public const int UserCreated = 1020;
    public const int UserDisabled = 1021;
    public const int UserEnabled = 1022;
    public const int UserDeleted = 1023;
    public const int PasswordChanged = 1024;
    public const int PasswordRejected = 1025;
    public const int LoginSucceeded = 1030;
    public const int LoginFailed = 1031;
    public const int AccountLocked = 1032;
    public const int TokenRefreshed = 1033;
    public const int RefreshTokenReused = 1034;
    public const int TokenRevoked = 1035;
    public const int PrincipalRevoked = 1036;
    public const int ClientTokenIssued = 1037;
    public const int MfaEnrolled = 1040;
    public const int MfaReset = 1041;
    public const int RecoveryCodeUsed = 1042;
    public const int MfaFailed = 1043;
    public const int MfaEnrolmentCodeIssued = 1044;
    public const int ProjectCreated = 1050;
    public const int MembershipGranted = 1051;
    public const int MembershipRevoked = 1052;
    public const int RoleDefined = 1053;
    public const int PolicyChanged = 1060;
    public const int PolicyRejected = 1061;
    public const int PolicyDenied = 1062;
    public const int RestrictedAccessDecided = 1063;
    public const int SigningKeyRotated = 1070;

    // 2000–2999 Datasets
    public const int DatasetImported = 2000;
    public const int DatasetRejected = 2001;

    /// <summary>An instance administrator changed what dataset imports in a project do with card numbers.</summary>
    public const int ProjectPanPolicyChanged = 2030;

    // 3000–3999 Registry and training
    public const int TrainingRequested = 3000;
    public const int TrainingSucceeded = 3001;
    public const int TrainingFailed = 3002;
    public const int ModelImported = 3010;
    public const int ModelImportRejected = 3011;
    public const int ModelPromoted = 3020;
    public const int ModelRetired = 3021;
    public const int ModelIntegrityFailure = 3030;
    public const int ModelQuarantined = 3031;
    public const int ModelReinstated = 3032;
    public const int ModelStaged = 3040;
    public const int ModelApproved = 3041;
    public const int ModelRolledBack = 3042;

    /// <summary>A promotion or approval refused by four eyes or a failed gate (outcome "denied").</summary>
    public const int ModelPromotionBlocked = 3043;

    /// <summary>Production versions that predate release records were adopted into them once, at the first start after upgrade.</summary>
    public const int ModelReleasesAdopted = 3044;
    public const int ArtifactsReverified = 3033;

    /// <summary>A version's artifacts (or its signature bundle) left the registry: who took which model, by digest.</summary>
    public const int ModelExported = 3034;

    // 4000–4999 Serving
    public const int PredictionServed = 4000;
    public const int PredictionRejected = 4001;
    public const int QueryBudgetExhausted = 4010;
    public const int ProbingDetected = 4011;

    /// <summary>A served request had rows unlike the training data (out-of-distribution action "flag"; names features, never values).</summary>
    public const int PredictionOutOfDistribution = 4012;

    // 4100–4199 Monitoring (feedback, evaluation, retraining)
    public const int FeedbackReceived = 4100;
    public const int FeedbackBatchAccepted = 4101;

    /// <summary>A feedback batch dominated by one principal, held for review (poisoning guard; outcome "denied").</summary>
    public const int FeedbackBatchHeld = 4102;
    public const int FeedbackBatchReleased = 4103;
    public const int FeedbackBatchDiscarded = 4104;
    public const int ModelEvaluated = 4110;
    public const int ModelDriftDetected = 4111;
    public const int ModelMetricDropped = 4112;
    public const int RetrainingStarted = 4120;
    public const int RetrainingStaged = 4121;
    public const int RetrainingFailed = 4122;
    public const int CapturesPurged = 4130;

    // 4200–4299 Champion / challenger

    /// <summary>A challenger was configured for a model (version, mode, share, gate summary).</summary>
    public const int ModelChallengerSet = 4200;
    public const int ModelChallengerCleared = 4201;

    /// <summary>Configuring a challenger was refused: its stage, age, integrity, gates or four eyes (outcome "denied").</summary>
    public const int ModelChallengerRefused = 4202;

    // 5000–5999 Audit
    public const int AuditVerified = 5000;
    public const int AuditSearched = 5001;
    public const int AuditCheckpointSigned = 5002;
    public const int AuditExported = 5003;
    public const int AuditKeyRotated = 5004;
    public const int AuditArchived = 5005;
    public const int AuditArchivePurged = 5006;

    // 6000–6999 Incidents and containment
    public const int IncidentOpened = 6000;
    public const int IncidentUpdated = 6001;
    public const int IncidentTransitioned = 6002;
    public const int IncidentNoteAdded = 6003;
    public const int IncidentChecklistItemCompleted = 6004;
    public const int IncidentDeadlineReminder = 6005;
    public const int EvidenceBundleExported = 6006;
    public const int DetectionFired = 6010;
    public const int LockdownEnabled = 6100;
    public const int LockdownLifted = 6101;
    public const int ChangesFrozen = 6102;
    public const int ChangesUnfrozen = 6103;
    public const int NetworkBlocked = 6104;
    public const int NetworkUnblocked = 6105;

    // 7000–7049 Key ring (master key rotation keeps its historic code MasterKeyRotated = 9010)
    public const int KeyVersionDisabled = 7000;
    public const int KeyVersionEnabled = 7001;
    public const int KeyRingRewrapped = 7002;
    public const int KeyRingMinimumVersionSet = 7003;
    public const int KeyDestroyRequested = 7004;
    public const int KeyVersionDestroyed = 7005;
    public const int KeyDestroyCancelled = 7006;

    // 7100–7199 Privacy: data-subject rights and retention
    public const int PrivacyErasureCompleted = 7100;
    public const int PrivacyErasureFailed = 7101;
    public const int PrivacySubjectExported = 7102;
    public const int RetentionChanged = 7110;
    public const int RetentionPurged = 7111;

    // 7200–7299 Break glass and compliance evidence

    /// <summary>A user started emergency (break-glass) access: high severity, opens or joins an incident.</summary>
    public const int BreakGlassStarted = 7200;
    public const int BreakGlassEnded = 7201;
    public const int BreakGlassExpired = 7202;

    /// <summary>One request served under break glass (method, path, status and the session id as the marker).</summary>
    public const int BreakGlassRequest = 7203;

    /// <summary>A break-glass request refused (not eligible, disabled); outcome "denied".</summary>
    public const int BreakGlassRefused = 7204;

    /// <summary>A signed compliance evidence report was generated (framework and the count of controls not met).</summary>
    public const int ComplianceReportGenerated = 7210;

    // 9000–9999 System
    public const int SystemInitialized = 9000;
    public const int ServerStarted = 9001;
    public const int MasterKeyRotated = 9010;
}
