namespace Bulwark.Core.Crypto;

/// <summary>The key ring's expected failures, with stable codes (mirrored in the client's ErrorCodes).</summary>
internal static class KeyRingFailures
{
    public const string InvalidCode = "keyring.invalid";
    public const string NotFoundCode = "keyring.version-not-found";
    public const string PrimaryCode = "keyring.primary";
    public const string InvalidStateCode = "keyring.invalid-state";
    public const string DerivationRootCode = "keyring.derivation-root";
    public const string ObjectsRemainCode = "keyring.objects-remain";
    public const string ReadOnlyProviderCode = "keyring.read-only-provider";
    public const string ApprovalRequiredCode = "keyring.approval-required";
    public const string SameApproverCode = "keyring.same-approver";
    public const string NoPendingCode = "keyring.no-pending-destroy";

    public static Failure NotFound(string versionId) => new(NotFoundCode, 404, $"Key version '{versionId}' is not in the key ring (or is already destroyed).");

    public static Failure IsPrimary(string versionId, string what) =>
        new(PrimaryCode, 409, $"Version '{versionId}' is the primary and cannot be {what}: rotate first so another version becomes primary.");
}
