using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Bulwark.Core;
using Bulwark.Core.Access;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Identity.Tokens;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bulwark.Benchmarks.Identity;

/// <summary>
/// What authenticating one request costs on the hot path: an API key through <see cref="ApiKeyService"/> (the baseline),
/// an ES256 access token validated in full every time, the same token served from <see cref="ValidatedTokenCache"/>, and
/// the whole bearer path the server runs per request (<see cref="BearerTokenAuthenticator"/>: cached validation, then
/// <see cref="RevocationList.IsRevoked"/>, then the user from <see cref="UserDirectory"/>).
/// </summary>
/// <remarks>
/// The services are the production ones on a real data directory (master key, migrated SQLite file) and the system
/// clock, so the caches expire as they do in the server: the user entry is reloaded from the database every 5 s and a
/// cached validation lives at most a minute; both reloads are part of the measured mean.
/// </remarks>
[MemoryDiagnoser]
public class AuthenticationBenchmarks
{
    private string _dataDir = null!;
    private ServiceProvider _services = null!;
    private AsyncServiceScope _scope;
    private ApiKeyService _apiKeys = null!;
    private AccessTokenValidator _uncached = null!;
    private AccessTokenValidator _cached = null!;
    private BearerTokenAuthenticator _bearer = null!;
    private string _apiKey = null!;
    private string _token = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    /// <summary>API key, cache warm: prefix lookup in memory, HMAC-SHA256 of the secret, constant-time compare.</summary>
    [Benchmark(Baseline = true)]
    public async Task<bool> ApiKey() => (await _apiKeys.AuthenticateAsync(_apiKey)).Identity is not null;

    /// <summary>Full RFC 8725 validation with the ES256 signature check on every call (no cache).</summary>
    [Benchmark]
    public bool AccessTokenUncached() => _uncached.Validate(_token).Token is not null;

    /// <summary>The same token, answered by the validated-token cache (SHA-256 of the token, dictionary lookup).</summary>
    [Benchmark]
    public bool AccessTokenCached() => _cached.Validate(_token).Token is not null;

    /// <summary>Per request with a bearer token: cached validation + revocation check + cached user lookup + identity.</summary>
    [Benchmark]
    public async Task<bool> BearerPathCached() => (await _bearer.AuthenticateAsync(_token, CancellationToken.None)).Identity is not null;

    private async Task SetupAsync()
    {
        var time = TimeProvider.System;
        _dataDir = Path.Combine(Path.GetTempPath(), "bulwark-bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(_dataDir);
        MasterKeyFile.CreateNew(time).WriteTo(Path.Combine(_dataDir, "master.key"));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bulwark:DataDir"] = _dataDir })
            .Build();
        _services = new ServiceCollection()
            .AddSingleton(time)
            .AddLogging()
            .AddBulwarkCore(configuration)
            .BuildServiceProvider();
        await StorageServiceCollectionExtensions.MigrateAsync(_services);
        var signingKeys = _services.GetRequiredService<SigningKeyStore>();
        await signingKeys.InitializeAsync();

        // One request scope kept open, as a request would hold one; the key's cache entry is shared across scopes anyway.
        _scope = _services.CreateAsyncScope();
        _scope.ServiceProvider.GetRequiredService<ProjectScope>().Enter(ProjectIds.Default);
        _apiKeys = _scope.ServiceProvider.GetRequiredService<ApiKeyService>();
        _apiKey = (await _apiKeys.CreateAsync(ProjectIds.Default, "bench", ["predict"], null, "bench", null)).Plaintext;

        // A real user with a role, as a signed-in caller of the predict endpoint would be.
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var created = await _scope.ServiceProvider.GetRequiredService<UserService>()
            .CreateAsync(new UserService.NewUser("bench-user", "Bench User", password, DataClassification.Internal, "bench", null));
        var user = created.Succeeded ? created.Value : throw new InvalidOperationException(created.Failure.Detail);
        var principalId = UserDirectory.PrincipalId(user.Id);
        var granted = await _scope.ServiceProvider.GetRequiredService<ProjectService>()
            .GrantAsync(principalId, ProjectIds.Default, "service", "bench", null);
        if (!granted.Succeeded)
            throw new InvalidOperationException(granted.Failure.Detail);

        var options = _services.GetRequiredService<IOptions<TokenOptions>>().Value;
        var issuer = _services.GetRequiredService<AccessTokenIssuer>();
        var sessionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _token = issuer.Issue(signingKeys.Current, new AccessTokenClaims(principalId, null, ["pwd"], time.GetUtcNow(), [], sessionId)).Token;

        var noExternalIssuers = new Dictionary<string, IJwksSource>(StringComparer.Ordinal);
        _uncached = new AccessTokenValidator(options, time, () => signingKeys.Current, noExternalIssuers);
        _cached = new AccessTokenValidator(options, time, () => signingKeys.Current, noExternalIssuers, new ValidatedTokenCache(time));
        _bearer = new BearerTokenAuthenticator(
            _cached,
            _services.GetRequiredService<RevocationList>(),
            _services.GetRequiredService<UserDirectory>(),
            _services.GetRequiredService<ClientDirectory>(),
            _services.GetRequiredService<RoleRegistry>(),
            _services.GetRequiredService<IOptions<SignInOptions>>());

        // Warm every cache and fail loudly if a path does not authenticate: a benchmark of a refusal measures nothing.
        if (!await ApiKey() || !AccessTokenUncached() || !AccessTokenCached() || !await BearerPathCached())
            throw new InvalidOperationException("A benchmarked credential did not authenticate.");
    }

    private async Task CleanupAsync()
    {
        await _scope.DisposeAsync();
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
