using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Registry;

/// <summary>
/// Binds a version's stage to its identity under a master-key-derived key. The manifest signature covers the artifacts
/// but not the stage (it changes after signing), so without this tag anyone who can write the database could mark an
/// old, validly signed version as production. The tag is HMAC-SHA256 (RFC 2104) over a length-prefixed encoding of
/// (id, model, version, stage, manifest digest); a tag copied from another row or a stage flipped in SQL fails it.
/// </summary>
internal sealed class ModelStageTag(KeyRing keyRing) : IDisposable
{
    /// <summary>Domain separation: a tag of this format can never equal an HMAC computed for another purpose.</summary>
    private static readonly byte[] Context = Encoding.UTF8.GetBytes("bulwark/model-stage-tag/v1");

    // HKDF per call is cheap but needless; derived once, zeroed when the container is disposed.
    private readonly byte[] _key = keyRing.DeriveKey("model-stage-tag");

    public byte[] Compute(ModelVersion v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return HMACSHA256.HashData(_key, Encode(v));
    }

    /// <summary>True when the stored tag is this row's; constant-time compare (no tag-guessing oracle via timing).</summary>
    public bool Verify(ModelVersion v)
    {
        ArgumentNullException.ThrowIfNull(v);
        var expected = Compute(v);
        return v.StageTag is { Length: HMACSHA256.HashSizeInBytes } stored && CryptographicOperations.FixedTimeEquals(expected, stored);
    }

    /// <summary>Sets the tag after a stage change; call it after every assignment of <see cref="ModelVersion.Stage"/>.</summary>
    public void Apply(ModelVersion v)
    {
        ArgumentNullException.ThrowIfNull(v);
        v.StageTag = Compute(v);
    }

    /// <summary>The audit event for a row whose tag does not verify (written by whichever path noticed it).</summary>
    public static AuditEntry TamperedEntry(ModelVersion v, string action, string principal = "system", string? client = null) =>
        new(AuditCodes.ModelIntegrityFailure, action, principal, $"model/{v.ModelName}/{v.Version}", "failure", client, new Dictionary<string, object?>
        {
            ["code"] = RegistryErrors.StageTampered,
            ["reason"] = "stage-tag",
            ["stage"] = ModelRegistry.Name(v.Stage),
            ["versionId"] = v.Id.ToString("D"),
        }, v.ProjectId);

    // Every field is fixed-width or length-prefixed, so no two distinct tuples share an encoding. The stage is encoded
    // by its wire name, not the enum number, so reordering the enum cannot silently re-bind existing tags.
    internal static byte[] Encode(ModelVersion v)
    {
        var model = Encoding.UTF8.GetBytes(v.ModelName);
        var stage = Encoding.UTF8.GetBytes(ModelRegistry.Name(v.Stage));
        var digest = Encoding.UTF8.GetBytes(v.ManifestDigest);

        // The project binds too, so a row moved to another tenant in the database stops serving. Left out for the
        // default project: versions registered before projects existed were all migrated there and keep their tags.
        var project = v.ProjectId == Projects.ProjectIds.Default ? [] : Encoding.UTF8.GetBytes(v.ProjectId);
        var buffer = new byte[Context.Length + 16 + 4 + model.Length + 4 + 4 + stage.Length + 4 + digest.Length + (project.Length > 0 ? 4 + project.Length : 0)];
        var span = buffer.AsSpan();
        Context.CopyTo(span);
        span = span[Context.Length..];
        if (!v.Id.TryWriteBytes(span, bigEndian: true, out _))
        {
            throw new InvalidOperationException("A GUID always fits in 16 bytes.");
        }

        span = span[16..];
        span = WriteField(span, model);
        BinaryPrimitives.WriteInt32BigEndian(span, v.Version);
        span = span[4..];
        span = WriteField(span, stage);
        span = WriteField(span, digest);
        if (project.Length > 0)
        {
            WriteField(span, project);
        }

        return buffer;
    }

    private static Span<byte> WriteField(Span<byte> span, byte[] field)
    {
        BinaryPrimitives.WriteInt32BigEndian(span, field.Length);
        field.CopyTo(span[4..]);
        return span[(4 + field.Length)..];
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
