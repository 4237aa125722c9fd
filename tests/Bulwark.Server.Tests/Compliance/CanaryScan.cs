using System.Text;
using Bulwark.Server.Tests.Datasets;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Compliance;

/// <summary>
/// Looks for canaries where a leak would persist or travel: log lines, audit rows, the audit export, and the raw bytes of
/// every file of the data directory (database, its write-ahead log, objects). The server must be stopped first so the
/// write-ahead log holds what it will hold.
/// </summary>
internal static class CanaryScan
{
    public static async Task<List<string>> FindAsync(TestServer server, IReadOnlyList<string> logLines, string export, IEnumerable<(string Name, string Value)> secrets)
    {
        var findings = new List<string>();
        var logText = Encoding.UTF8.GetBytes(string.Join('\n', logLines));
        var rows = Encoding.UTF8.GetBytes(await AuditRowsAsync(server));
        var exported = Encoding.UTF8.GetBytes(export);
        var files = new List<(string Name, byte[] Bytes)>();
        foreach (var file in Directory.EnumerateFiles(server.DataDir, "*", SearchOption.AllDirectories))
        {
            files.Add((Path.GetRelativePath(server.DataDir, file), await File.ReadAllBytesAsync(file)));
        }

        foreach (var (name, value) in secrets)
        {
            foreach (var needle in Needles(name, value))
            {
                Check(findings, name, "log output", logText, needle);
                Check(findings, name, "audit rows", rows, needle);
                Check(findings, name, "audit export", exported, needle);
                foreach (var (file, bytes) in files)
                {
                    Check(findings, name, file, bytes, needle);
                }
            }
        }

        return [.. findings.Distinct()];
    }

    private static async Task<string> AuditRowsAsync(TestServer server)
    {
        await using var connection = new SqliteConnection($"Data Source={server.Init.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM audit_events";
        await using var reader = await command.ExecuteReaderAsync();
        var text = new StringBuilder();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.IsDBNull(i) ? "" : reader.GetValue(i).ToString()).Append('\t');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The PAN in every spelling (plain, spaced, dashed; UTF-8, UTF-16, base64); other canaries plain, UTF-16 and base64.</summary>
    private static IEnumerable<byte[]> Needles(string name, string value)
    {
        if (name == "pan")
        {
            return PanPolicyFixture.Needles(value);
        }

        var plain = Encoding.UTF8.GetBytes(value);
        return [plain, Encoding.Unicode.GetBytes(value), Encoding.ASCII.GetBytes(Convert.ToBase64String(plain)[..^4])];
    }

    private static void Check(List<string> findings, string name, string where, byte[] haystack, byte[] needle)
    {
        if (needle.Length >= 8 && haystack.AsSpan().IndexOf(needle) >= 0)
        {
            findings.Add($"{name} found in {where}");
        }
    }
}
