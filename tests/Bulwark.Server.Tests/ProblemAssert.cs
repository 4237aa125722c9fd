using System.Net;
using System.Text.Json;

namespace Bulwark.Server.Tests;

internal static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 problem with the given status and stable code, and returns its JSON.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("traceId").GetString()));
        var actualCode = json.GetProperty("code").GetString();
        Assert.False(string.IsNullOrEmpty(actualCode));
        if (code is not null)
        {
            Assert.Equal(code, actualCode);
        }

        return json;
    }
}
