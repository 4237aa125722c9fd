using Bulwark.Core;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Identity;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Server.Initialization;

/// <param name="CertificatePath">An existing PEM certificate to use instead of a self-signed one (copied into the data dir).</param>
/// <param name="KeyPath">Its PEM private key.</param>
/// <param name="Time">Clock for certificate validity and audit timestamps; the system clock by default.</param>
internal sealed record InitOptions(string? CertificatePath = null, string? KeyPath = null, TimeProvider? Time = null);

/// <param name="AdminKey">The first admin API key, in clear. Shown once; only its hash is stored.</param>
/// <param name="AdminLogin">The first admin user (role admin in every project; inactive until it enrols MFA).</param>
/// <param name="AdminPassword">Its generated password, in clear. Shown once; only its Argon2id hash is stored.</param>
/// <param name="AdminMfaEnrolmentCode">The one-time code the admin needs to enrol MFA (valid 24 hours).</param>
internal sealed record InitResult(string DataDir, string AdminKey, string AdminKeyPrefix, string CertFingerprint, string CertificatePath, string KeyPath, string MasterKeyPath, string DatabasePath,
    string AdminLogin = "", string AdminPassword = "", string AdminMfaEnrolmentCode = "");

/// <summary>
/// <c>bulwark init</c>: creates the data directory (0700), the master key (0600), the TLS certificate, the database and
/// the first admin credential. Before this runs no credential exists at all (DESIGN.md invariant 2).
/// </summary>
internal static class DataDirectoryInitializer
{
    public const string AlreadyInitialized = "init.already-initialized";
    public const string AdminKeyName = "initial-admin";
    public const string AdminLogin = "admin";

    public static async Task<Outcome<InitResult>> InitializeAsync(string dataDir, InitOptions options, CancellationToken cancellationToken = default)
    {
        var time = options.Time ?? TimeProvider.System;
        dataDir = Path.GetFullPath(dataDir);
        var storage = new StorageOptions { DataDir = dataDir };
        if (File.Exists(storage.MasterKeyPath) || File.Exists(storage.DatabasePath))
        {
            return new Failure(AlreadyInitialized, 409, $"'{dataDir}' is already initialised (it holds a master key or a database). Use 'bulwark serve --data-dir {dataDir}'.");
        }

        if ((options.CertificatePath is null) != (options.KeyPath is null))
        {
            return new Failure("init.invalid", 400, "Give both a PEM certificate and its key, or neither (a self-signed certificate is created).");
        }

        CreatePrivateDirectory(dataDir);
        var tlsDir = Path.Combine(dataDir, "tls");
        CreatePrivateDirectory(tlsDir);
        var certPath = Path.Combine(tlsDir, "cert.pem");
        var keyPath = Path.Combine(tlsDir, "key.pem");
        string fingerprint;
        if (options.CertificatePath is { } givenCert && options.KeyPath is { } givenKey)
        {
            using var given = TlsCertificates.Load(givenCert, givenKey); // throws with a clear message when they do not pair
            fingerprint = TlsCertificates.Sha256Fingerprint(given);
            File.Copy(givenCert, certPath, overwrite: true);
            TlsCertificates.WriteSecretFile(keyPath, await File.ReadAllTextAsync(givenKey, cancellationToken));
        }
        else
        {
            using var created = TlsCertificates.CreateSelfSigned(certPath, keyPath, time);
            fingerprint = TlsCertificates.Sha256Fingerprint(created);
        }

        MasterKeyFile.CreateNew(time).WriteTo(storage.MasterKeyPath);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new($"{StorageOptions.Section}:DataDir", dataDir)]).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.TryAddSingleton(time);
        services.AddBulwarkCore(configuration);
        await using var provider = services.BuildServiceProvider();
        await Migrations.ApplyAsync(provider, cancellationToken);

        var ledger = provider.GetRequiredService<AuditLedger>();
        await ledger.AppendAsync(new AuditEntry(AuditCodes.SystemInitialized, "system.init", "system", "system", "success", null,
            new Dictionary<string, object?> { ["certFingerprint"] = fingerprint, ["productVersion"] = typeof(DataDirectoryInitializer).Assembly.GetName().Version?.ToString() }));

        CreatedApiKey admin;
        var adminPassword = GeneratePassword();
        string enrolmentCode;
        await using (var scope = provider.CreateAsyncScope())
        {
            var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
            admin = await keys.CreateAsync(Core.Projects.ProjectIds.AllProjects, AdminKeyName, [Permissions.Admin], null, "system", null, cancellationToken);

            // The first person: admin everywhere, with a generated password; the role acts only once MFA is enrolled.
            var user = await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(
                new UserService.NewUser(AdminLogin, "Administrator", adminPassword, Core.Datasets.DataClassification.Restricted, "system", null), cancellationToken);
            if (!user.Succeeded)
            {
                throw new InvalidOperationException("The generated admin password was refused: " + user.Failure.Detail);
            }

            var granted = await scope.ServiceProvider.GetRequiredService<Core.Projects.ProjectService>().GrantAsync(
                UserDirectory.PrincipalId(user.Value.Id), Core.Projects.ProjectIds.AllProjects, "admin", "system", null, cancellationToken);
            if (!granted.Succeeded)
            {
                throw new InvalidOperationException("Could not make the first user an admin: " + granted.Failure.Detail);
            }

            var enrolment = await scope.ServiceProvider.GetRequiredService<MfaService>().IssueEnrolmentCodeAsync(AdminLogin, "system", null, cancellationToken);
            enrolmentCode = enrolment.Succeeded ? enrolment.Value.Code : throw new InvalidOperationException(enrolment.Failure.Detail);
        }

        return new InitResult(dataDir, admin.Plaintext, admin.Key.Prefix, fingerprint, certPath, keyPath, storage.MasterKeyPath, storage.DatabasePath,
            AdminLogin, adminPassword, enrolmentCode);
    }

    /// <summary>24 characters from 56 unambiguous letters and digits: about 139 bits, far past every profile's rules.</summary>
    private static string GeneratePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        var chars = new char[24];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        // Four groups of six are easier to copy by hand; the dashes count towards the length, not the strength.
        return string.Join('-', new string(chars).Chunk(6).Select(c => new string(c)));
    }

    /// <summary>Mode 0700: the data directory holds the key material and the database.</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(path, ownerOnly);
        File.SetUnixFileMode(path, ownerOnly);
    }
}
