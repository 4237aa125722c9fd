using System.Linq.Expressions;
using Bulwark.Core.Audit;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Crypto.Envelopes;

/// <summary>Every place Bulwark keeps envelopes, for the key ring's inventory and rewrap.</summary>
public static class EnvelopeStores
{
    /// <summary>Registers the object files and every envelope column of the database.</summary>
    public static IServiceCollection AddEnvelopeStores(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(EnvelopeStoreMarker)))
        {
            return services;
        }

        services.AddSingleton<EnvelopeStoreMarker>();
        services.AddSingleton<IEnvelopeStore, ArtifactEnvelopeStore>();
        services.AddSealedTextColumn<Dataset>("db/datasets.SchemaJson", d => d.Id, d => d.SchemaJson, SealedColumn.DatasetSchemaPurpose);
        services.AddSealedTextColumn<ModelVersion>("db/model_versions.ManifestEnvelope", v => v.Id, v => v.ManifestEnvelope, SealedColumn.ManifestPurpose);
        services.AddSealedTextColumn<ModelVersion>("db/model_versions.FeatureSchemaJson", v => v.Id, v => v.FeatureSchemaJson, SealedColumn.FeatureSchemaPurpose);
        services.AddSealedTextColumn<FeedbackLabel>("db/feedback_labels.Label", l => l.Id, l => l.Label, FeedbackService.LabelPurpose);
        services.AddEnvelopeColumn<User, Guid>("db/users.TotpSecret", u => u.Id, u => u.TotpSecret, id => id.ToString("N"), MfaService.SecretPurpose);
        services.AddEnvelopeColumn<User, Guid>("db/users.PendingTotpSecret", u => u.Id, u => u.PendingTotpSecret, id => id.ToString("N"), MfaService.SecretPurpose);
        services.AddEnvelopeColumn<User, Guid>("db/users.LoginSealed", u => u.Id, u => u.LoginSealed, id => id.ToString("N"), PersonalFields.LoginPurpose);
        services.AddEnvelopeColumn<User, Guid>("db/users.DisplayNameSealed", u => u.Id, u => u.DisplayNameSealed, id => id.ToString("N"), PersonalFields.DisplayNamePurpose);
        services.AddEnvelopeColumn<SigningKeyRecord, string>("db/signing_keys.SealedPrivateKey", k => k.KeyId, k => k.SealedPrivateKey, id => id, SigningKeyStore.Purpose);
        services.AddEnvelopeColumn<AuditSigningKey, string>("db/audit_signing_keys.SealedPrivateKey", k => k.KeyId, k => k.SealedPrivateKey, id => id, AuditKeyStore.Purpose);
        services.AddEnvelopeColumn<CapturedPrediction, Guid>("db/captured_predictions.Payload", c => c.Id, c => c.Payload, id => id.ToString("N"), CapturePayload.Purpose);
        return services;
    }

    /// <summary>A column of raw envelope bytes bound to (<paramref name="objectId"/> of the row key, <paramref name="purpose"/>).</summary>
    internal static IServiceCollection AddEnvelopeColumn<TEntity, TKey>(this IServiceCollection services, string name, Expression<Func<TEntity, TKey>> key,
        Expression<Func<TEntity, byte[]?>> column, Func<TKey, string> objectId, string purpose)
        where TEntity : class
        where TKey : notnull =>
        services.AddSingleton<IEnvelopeStore>(sp => new DbEnvelopeColumn<TEntity, TKey, byte[]?>(name, sp.GetRequiredService<IDbContextFactory<BulwarkDbContext>>(),
            key, column, objectId, purpose, v => v, v => v));

    /// <summary>A text column sealed with <see cref="SealedColumn"/> (<c>bwe1:</c> + base64), bound to the row's Guid id.</summary>
    internal static IServiceCollection AddSealedTextColumn<TEntity>(this IServiceCollection services, string name, Expression<Func<TEntity, Guid>> key,
        Expression<Func<TEntity, string>> column, string purpose)
        where TEntity : class =>
        services.AddSingleton<IEnvelopeStore>(sp => new DbEnvelopeColumn<TEntity, Guid, string>(name, sp.GetRequiredService<IDbContextFactory<BulwarkDbContext>>(),
            key, column, id => id.ToString("N"), purpose, ReadSealed, v => SealedColumn.Prefix + Convert.ToBase64String(v)));

    internal static byte[]? ReadSealed(string value)
    {
        if (!value.StartsWith(SealedColumn.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(value[SealedColumn.Prefix.Length..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private sealed class EnvelopeStoreMarker;
}
