using System.CommandLine;
using Bulwark.Server.Initialization;

namespace Bulwark.Cli.Commands.Init;

/// <summary><c>bulwark init</c>: creates a data directory. Before it runs no credential exists (no default credentials).</summary>
internal static class InitCommand
{
    public static Command Create(CliConsole console)
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir") { Description = "Data directory to create (mode 0700)", Required = true };
        var tlsCert = new Option<FileInfo?>("--tls-cert") { Description = "PEM certificate to serve (default: a new self-signed ECDSA P-256 certificate for 127.0.0.1 and localhost)" };
        var tlsKey = new Option<FileInfo?>("--tls-key") { Description = "PEM private key of --tls-cert" };
        var command = new Command("init", "Initialise a data directory: master key, TLS certificate, database and the first admin API key")
        {
            dataDir, tlsCert, tlsKey,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var cert = parse.GetValue(tlsCert);
            var key = parse.GetValue(tlsKey);
            if ((cert is null) != (key is null))
            {
                throw new CliUsageException("Pass both --tls-cert and --tls-key, or neither.");
            }

            var outcome = await DataDirectoryInitializer.InitializeAsync(parse.GetRequiredValue(dataDir).FullName, new InitOptions(cert?.FullName, key?.FullName), ct);
            if (!outcome.Succeeded)
            {
                console.WriteError(outcome.Failure.Code, outcome.Failure.Detail);
                return ExitCodes.Usage;
            }

            var result = outcome.Value;
            console.Out.WriteLine($"Initialised {result.DataDir}");
            console.Out.WriteLine($"  master key        {result.MasterKeyPath} (mode 0600)");
            console.Out.WriteLine($"  database          {result.DatabasePath}");
            console.Out.WriteLine($"  TLS certificate   {result.CertificatePath}");
            console.Out.WriteLine($"  SHA-256           {result.CertFingerprint}");
            console.Out.WriteLine();
            console.Out.WriteLine("Admin API key (shown ONCE; only its hash is stored):");
            console.Out.WriteLine();
            console.Out.WriteLine($"  {result.AdminKey}");
            console.Out.WriteLine();
            console.Error.WriteLine("warning: store the admin API key in a secret manager now. It cannot be shown again; losing it means re-initialising.");
            console.Out.WriteLine($"Admin user '{result.AdminLogin}', password (shown ONCE; only its Argon2id hash is stored):");
            console.Out.WriteLine();
            console.Out.WriteLine($"  {result.AdminPassword}");
            console.Out.WriteLine();
            console.Out.WriteLine($"MFA enrolment code for '{result.AdminLogin}' (one use, valid 24 hours): {result.AdminMfaEnrolmentCode}");
            console.Error.WriteLine("warning: the admin role acts only in sessions with a second factor: 'bulwark login --user admin', then 'bulwark mfa enrol --enrolment-code <code>', then sign in again with a TOTP code.");
            console.Out.WriteLine("Next steps:");
            console.Out.WriteLine($"  bulwark serve --data-dir {result.DataDir}");
            console.Out.WriteLine("  export BULWARK_URL=https://127.0.0.1:8443");
            console.Out.WriteLine($"  export BULWARK_CA_CERT={result.CertificatePath}");
            console.Out.WriteLine("  export BULWARK_API_KEY=<the admin key above>");
            console.Out.WriteLine("  bulwark key create --name ci --scope predict:<model> --expires 30d");
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
