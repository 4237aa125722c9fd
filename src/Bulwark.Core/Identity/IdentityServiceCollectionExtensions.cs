using Bulwark.Core.Access;
using Bulwark.Core.Crypto;
using Bulwark.Core.Identity.Mfa;
using Bulwark.Core.Identity.Passwords;
using Bulwark.Core.Identity.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Configuration section of the token issuer and trusted external issuers.</summary>
    public const string TokensSection = "Bulwark:Tokens";

    /// <summary>API keys, users, passwords, MFA, sessions, access tokens and revocation.</summary>
    public static IServiceCollection AddIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<ApiKeyCache>();
        services.TryAddSingleton<ApiKeyHasher>();
        services.TryAddScoped<ApiKeyService>();

        services.AddOptions<SignInOptions>().Bind(configuration.GetSection(SignInOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TokenOptions>().Bind(configuration.GetSection(TokensSection))
            .PostConfigure(o =>
            {
                // Tokens only need a stable, unique issuer; deployments that let others verify them set their public URL.
                o.Issuer = string.IsNullOrEmpty(o.Issuer) ? "https://bulwark.localhost/" : o.Issuer;
                o.Audience = string.IsNullOrEmpty(o.Audience) ? "bulwark" : o.Audience;
            })
            .Validate(o => o.Validate().Count == 0, "Bulwark:Tokens is invalid (issuer must be https, lifetime ≤ 15 minutes, skew ≤ 60 s, external issuers asymmetric only).")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new PasswordHasher());
        services.TryAddSingleton<PasswordStrengthEstimator>();
        services.TryAddSingleton<PasswordPolicy>();
        services.TryAddSingleton(sp => new TotpAuthenticator(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new RecoveryCodes(sp.GetRequiredService<KeyRing>().DeriveKey("recovery-code-pepper")));
        services.TryAddSingleton(sp => new AccessTokenIssuer(sp.GetRequiredService<IOptions<TokenOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<SigningKeyStore>();
        services.TryAddSingleton<RevocationList>();
        services.TryAddSingleton<UserDirectory>();
        services.TryAddSingleton<ClientDirectory>();
        services.TryAddSingleton<ClientAssertionReplayCache>();
        services.TryAddSingleton<RoleRegistry>();
        services.TryAddSingleton<PolicyStore>();
        services.TryAddSingleton(sp => new ValidatedTokenCache(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TokenOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var sources = new Dictionary<string, IJwksSource>(StringComparer.Ordinal);
            foreach (var external in options.ExternalIssuers)
            {
                sources[external.Issuer] = external.JwksFile is { Length: > 0 } file
                    ? new FileJwksSource(file)
                    : new HttpsJwksSource(new Uri(external.JwksUrl!), new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }), time);
            }

            return new ExternalKeySources(sources);
        });
        services.TryAddSingleton(sp =>
        {
            var keys = sp.GetRequiredService<SigningKeyStore>();
            return new AccessTokenValidator(sp.GetRequiredService<IOptions<TokenOptions>>().Value, sp.GetRequiredService<TimeProvider>(), () => keys.Current,
                sp.GetRequiredService<ExternalKeySources>().Sources, sp.GetRequiredService<ValidatedTokenCache>());
        });
        services.TryAddScoped<RevocationService>();
        services.TryAddScoped<UserService>();
        services.TryAddScoped<MfaService>();
        services.TryAddScoped<SignInService>();
        services.TryAddScoped<OAuthClientService>();
        return services;
    }
}
