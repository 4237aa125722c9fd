using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Bulwark.Server.Tests.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Tests.Access;

/// <summary>
/// Every endpoint × every built-in role × own project / other project against the expected decisions in
/// <c>authorization-matrix.csv</c>. Each role is held by a real user, signed in with password and TOTP, in project
/// "alpha" (and, for instance-wide endpoints, in "*"). "Other project" sends <c>Bulwark-Project: beta</c>, where the
/// user holds nothing: every project endpoint must answer 404 project.not-found, whatever the role. An endpoint without
/// a row, or a row without an endpoint, fails the test.
/// </summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    private static readonly string[] Roles = ["admin", "security-officer", "ml-engineer", "data-scientist", "approver", "auditor", "service"];
    private TestServer _server = null!;
    private readonly Dictionary<string, string> _projectTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _instanceTokens = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:RateLimits:PerKeyBurst"] = "100000",
            ["Bulwark:RateLimits:PerKeyTokensPerSecond"] = "100000",
        });
        using var admin = _server.CreateClient(_server.AdminKey);
        foreach (var project in new[] { "alpha", "beta" })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/projects", Json($"{{\"id\":\"{project}\"}}"))).StatusCode);
        }

        foreach (var role in Roles)
        {
            _projectTokens[role] = await Users.SignedInWithMfaAsync(_server, role + "-p", [new RoleGrant("alpha", role)]);
            _instanceTokens[role] = await Users.SignedInWithMfaAsync(_server, role + "-i", [new RoleGrant("*", role)]);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    internal sealed record Row(string Name, string Method, string Route, string Scope, IReadOnlyDictionary<string, string> Expected);

    internal static List<Row> LoadExpected()
    {
        var lines = File.ReadAllLines(System.IO.Path.Combine(RepositoryPaths.Root, "tests", "Bulwark.Server.Tests", "Access", "authorization-matrix.csv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var header = lines[0].Split(',');
        Assert.Equal(["endpoint", "method", "route", "scope", .. Roles], header);
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(c => new Row(c[0], c[1], c[2], c[3],
            Roles.Select((r, i) => (r, c[4 + i])).ToDictionary(x => x.r, x => x.Item2, StringComparer.Ordinal)))];
    }

    private List<(string Name, string Method, RouteEndpoint Endpoint)> Endpoints() =>
        [.. ((IEndpointRouteBuilder)_server.App).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Name: e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "(unnamed) " + e.RoutePattern.RawText,
                Method: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Single() ?? "?", Endpoint: e))];

    [Fact]
    public void Matrix_HasExactlyOneRowPerEndpoint()
    {
        var endpoints = Endpoints().Select(e => $"{e.Name} {e.Method} {e.Endpoint.RoutePattern.RawText}").Order(StringComparer.Ordinal).ToList();
        var rows = LoadExpected().Select(r => $"{r.Name} {r.Method} {r.Route}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(endpoints, rows);
    }

    [Fact]
    public async Task EveryEndpoint_EveryRole_OwnAndOtherProject_MatchesTheTable()
    {
        var expected = LoadExpected().ToDictionary(r => r.Name, StringComparer.Ordinal);
        var mismatches = new List<string>();
        var actualTable = new StringBuilder();
        // RevokeAccessToken revokes the very token it is called with: it runs last, when no other request needs it.
        foreach (var (name, method, endpoint) in Endpoints().OrderBy(e => e.Name == "RevokeAccessToken").ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            if (!expected.TryGetValue(name, out var row))
            {
                mismatches.Add($"{name}: no row in authorization-matrix.csv");
                continue;
            }

            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var cells = new List<string>();
            foreach (var role in Roles)
            {
                if (anonymous)
                {
                    cells.Add("anonymous");
                    continue;
                }

                var token = row.Scope == "instance" ? _instanceTokens[role] : _projectTokens[role];
                var (status, code) = await SendAsync(method, endpoint, token, project: "alpha");
                var actual = status == HttpStatusCode.Forbidden ? "deny" : "allow";
                cells.Add(actual);
                if (status == HttpStatusCode.Unauthorized && code == ErrorCodes.Unauthenticated || status == HttpStatusCode.InternalServerError)
                {
                    mismatches.Add($"{name} as {role}: unexpected {(int)status} {code}");
                }

                if (actual != row.Expected[role])
                {
                    mismatches.Add($"{name} as {role} in its project: expected {row.Expected[role]}, got {actual} ({(int)status} {code})");
                }

                if (row.Scope == "project")
                {
                    var (otherStatus, otherCode) = await SendAsync(method, endpoint, token, project: "beta");
                    if (otherStatus != HttpStatusCode.NotFound || otherCode != ErrorCodes.ProjectNotFound)
                    {
                        mismatches.Add($"{name} as {role} in another project: expected 404 project.not-found, got {(int)otherStatus} {otherCode}");
                    }
                }

                if (row.Scope == "instance" && role != "admin")
                {
                    // A role held in one project confers nothing instance-wide.
                    var (projectOnly, _) = await SendAsync(method, endpoint, _projectTokens[role], project: null);
                    if (projectOnly != HttpStatusCode.Forbidden && row.Expected[role] == "allow")
                    {
                        mismatches.Add($"{name}: {role} held only in a project was admitted instance-wide ({(int)projectOnly})");
                    }
                }
            }

            if (!anonymous)
            {
                var (noCredential, _) = await SendAsync(method, endpoint, null, project: null);
                if (noCredential != HttpStatusCode.Unauthorized)
                {
                    mismatches.Add($"{name} without credentials: expected 401, got {(int)noCredential}");
                }
            }

            actualTable.AppendLine(CultureInfo.InvariantCulture, $"{name},{method},{endpoint.RoutePattern.RawText},{row.Scope},{string.Join(',', cells)}");
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches) + "\n\nActual table:\n" + actualTable);
    }

    private async Task<(HttpStatusCode Status, string? Code)> SendAsync(string method, RouteEndpoint endpoint, string? token, string? project)
    {
        using var client = _server.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        if (project is not null)
        {
            client.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, project);
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), Path(endpoint));
        if (method is "POST" or "PUT" or "PATCH")
        {
            var media = endpoint.Metadata.GetMetadata<AcceptedContentTypes>()?.MediaTypes[0] ?? "application/json";
            request.Content = new StringContent(media == "application/json" ? "{}" : "", Encoding.UTF8, media);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? code = null;
        if (body.StartsWith('{') && response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json")
        {
            using var json = JsonDocument.Parse(body);
            code = json.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
        }

        return (response.StatusCode, code);
    }

    /// <summary>The route with harmless values: ids that do not exist, so no test request changes another's data.</summary>
    private static string Path(RouteEndpoint endpoint)
    {
        var path = endpoint.RoutePattern.RawText!;
        foreach (var parameter in endpoint.RoutePattern.Parameters)
        {
            var value = parameter.Name switch
            {
                "id" => Guid.NewGuid().ToString(),
                "name" => "no-such-model",
                "version" => "1",
                "login" => "nobody",
                "prefix" => "bwk_000000000000",
                "clientId" => "bwcl_0000000000000000",
                "project" => "alpha",
                "role" => "auditor",
                "number" => "999999",
                "batch" => Guid.NewGuid().ToString(),
                _ => throw new InvalidOperationException($"No test value for route parameter '{parameter.Name}' in {path}."),
            };
            path = System.Text.RegularExpressions.Regex.Replace(path, "\\{" + parameter.Name + "(:[^}]*)?\\}", value);
        }

        return path;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
