using System.Text;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Crypto;

/// <summary>
/// Counts envelopes the way an auditor with file access would: the header of every object file, and every value of every
/// column of every table of the SQLite file that is an envelope (bytes starting "BWE1") or sealed text ("bwe1:").
/// Independent of the key ring's own store list, so a store the ring forgot shows up here.
/// </summary>
internal static class EnvelopeCensus
{
    /// <summary>"files/objects" or "db/Table.Column" → key version → count.</summary>
    public static async Task<Dictionary<string, Dictionary<string, long>>> TakeAsync(string dataDir)
    {
        var result = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        void Add(string store, string version)
        {
            var counts = result.TryGetValue(store, out var c) ? c : result[store] = new Dictionary<string, long>(StringComparer.Ordinal);
            counts[version] = counts.GetValueOrDefault(version) + 1;
        }

        var objects = Path.Combine(dataDir, "objects");
        if (Directory.Exists(objects))
        {
            foreach (var file in Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories))
            {
                Add("files/objects", KeyIdOf(await File.ReadAllBytesAsync(file)) ?? "(not an envelope)");
            }
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "bulwark.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (reader.IsDBNull(i))
                    {
                        continue;
                    }

                    var value = reader.GetValue(i);
                    var version = value switch
                    {
                        byte[] bytes => KeyIdOf(bytes),
                        string text when text.StartsWith("bwe1:", StringComparison.Ordinal) => KeyIdOf(Convert.FromBase64String(text[5..])) ?? "(bad sealed text)",
                        _ => null,
                    };
                    if (version is not null)
                    {
                        Add($"db/{table}.{reader.GetName(i)}", version);
                    }
                }
            }
        }

        return result;
    }

    public static string? KeyIdOf(byte[] bytes) =>
        bytes.Length > 5 && bytes.AsSpan(0, 4).SequenceEqual("BWE1"u8) && bytes.Length >= 5 + bytes[4] ? Encoding.ASCII.GetString(bytes, 5, bytes[4]) : null;
}
