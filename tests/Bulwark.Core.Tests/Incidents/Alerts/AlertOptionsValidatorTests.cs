using Bulwark.Core.Incidents.Alerts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static Bulwark.Core.Tests.Incidents.Alerts.AlertTestKit;

namespace Bulwark.Core.Tests.Incidents.Alerts;

public sealed class AlertOptionsValidatorTests
{
    private const string GoodUrl = "https://siem.example.com/hooks/" + PathToken;

    private static AlertOptions Good() => Options(GoodUrl);

    private static ValidateOptionsResult Validate(AlertOptions options) => new AlertOptionsValidator().Validate(null, options);

    private static string FailureOf(AlertOptions options)
    {
        var result = Validate(options);
        Assert.True(result.Failed);
        var message = string.Join(" ", result.Failures!);
        Assert.DoesNotContain(PathToken, message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
        return message;
    }

    [Fact]
    public void Validate_GoodOptions_Succeeds()
    {
        Assert.True(Validate(Good()).Succeeded);
        Assert.True(Validate(new AlertOptions()).Succeeded); // no webhook: alerts are only logged
    }

    [Theory]
    [InlineData("http://siem.example.com/hooks/" + PathToken, "https://")]
    [InlineData("ftp://siem.example.com/hooks/" + PathToken, "https://")]
    [InlineData("https://user:pass@siem.example.com/hooks/" + PathToken, "user information")]
    [InlineData("https://token@siem.example.com/hooks/" + PathToken, "user information")]
    [InlineData("https://attacker.example/hooks/" + PathToken, "AllowedHosts")]
    [InlineData("https://siem.example.com.attacker.example/hooks/" + PathToken, "AllowedHosts")]
    [InlineData("https://169.254.169.254/latest/meta-data/" + PathToken, "AllowedHosts")]
    [InlineData("siem.example.com/hooks/" + PathToken, "absolute")]
    public void Validate_BadWebhookUrl_FailsSayingWhatToFix(string url, string expected)
    {
        var options = Good();
        options.Webhooks[0].Url = url;

        var message = FailureOf(options);

        Assert.Contains("Bulwark:Alerts:Webhooks:0:Url", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-cidr", "not a CIDR")]
    [InlineData("10.0.0.1", "not a CIDR")]
    [InlineData("10.0.0.0/33", "not a CIDR")]
    [InlineData("10.0.0.5/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "too broad")]
    [InlineData("::/0", "too broad")]
    [InlineData("169.254.0.0/16", "metadata")]
    [InlineData("169.254.169.254/32", "metadata")]
    [InlineData("fd00:ec2::/32", "metadata")]
    public void Validate_BadAllowedNetwork_FailsSayingWhatToFix(string network, string expected)
    {
        var options = Good();
        options.AllowedNetworks.Add(network);

        var message = FailureOf(options);

        Assert.Contains("Bulwark:Alerts:AllowedNetworks:0", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*.example.com")]
    [InlineData("https://siem.example.com")]
    [InlineData("siem.example.com:443")]
    [InlineData("siem.example.com/hooks")]
    [InlineData("")]
    public void Validate_AllowedHostNotAnExactHost_Fails(string host)
    {
        var options = Good();
        options.AllowedHosts.Add(host);

        Assert.Contains("Bulwark:Alerts:AllowedHosts:1", FailureOf(options), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-secret")]
    [InlineData("whsec_")]
    [InlineData("whsec_c2hvcnQ=")] // 5 bytes
    [InlineData("whsec_!!!notbase64!!!")]
    public void Validate_MalformedSecret_Fails(string secret)
    {
        var options = Good();
        options.Webhooks[0].Secret = secret;

        var message = FailureOf(options);

        Assert.Contains("Bulwark:Alerts:Webhooks:0:Secret", message, StringComparison.Ordinal);
        if (secret.Length > "whsec_".Length)
        {
            Assert.DoesNotContain(secret, message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Timeout", "00:00:00")]
    [InlineData("Timeout", "01:00:00")]
    [InlineData("MaxPayloadBytes", "0")]
    [InlineData("MaxPayloadBytes", "2147483647")]
    [InlineData("MaxResponseBytes", "-1")]
    [InlineData("MaxResponseBytes", "1073741824")]
    [InlineData("MaxRetries", "-1")]
    [InlineData("MaxRetries", "1000")]
    [InlineData("RetryDelay", "1.00:00:00")]
    [InlineData("QueueCapacity", "0")]
    public void Validate_AbsurdLimit_Fails(string setting, string value)
    {
        var options = Good();
        Configuration(new Dictionary<string, string?> { [setting] = value }).Bind(options);

        Assert.Contains("Bulwark:Alerts:" + setting, FailureOf(options), StringComparison.Ordinal);
    }

    [Fact]
    public void AddAlerts_PlainHttpWebhookInConfiguration_StopsStartup()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Bulwark:Alerts:Webhooks:0:Url"] = "http://siem.example.com/hooks/" + PathToken,
            ["Bulwark:Alerts:AllowedHosts:0"] = "siem.example.com",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlertOptions>>().Value);
        Assert.Contains("https://", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PathToken, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAlerts_CalledTwice_RegistersOnceAndBindsWebhooksOnce()
    {
        var configuration = Configuration(new Dictionary<string, string?>
        {
            ["Bulwark:Alerts:Webhooks:0:Url"] = GoodUrl,
            ["Bulwark:Alerts:Webhooks:0:Secret"] = Secret,
            ["Bulwark:Alerts:AllowedHosts:0"] = "siem.example.com",
            ["Bulwark:Alerts:Timeout"] = "00:00:03",
        });
        var services = new ServiceCollection().AddLogging().AddAlerts(configuration).AddAlerts(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AlertOptions>>().Value;
        Assert.Single(options.Webhooks);
        Assert.Single(options.AllowedHosts);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Single(services, d => d.ImplementationType == typeof(AlertDeliveryService));
        Assert.IsType<AlertDeliveryService>(Assert.Single(provider.GetServices<IHostedService>()));
        Assert.NotNull(provider.GetRequiredService<AlertDispatcher>());
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static ServiceProvider Services(Dictionary<string, string?> values) =>
        new ServiceCollection().AddLogging().AddAlerts(Configuration(values)).BuildServiceProvider();
}
