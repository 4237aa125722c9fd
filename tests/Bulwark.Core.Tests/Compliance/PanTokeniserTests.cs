using Bulwark.Core.Compliance;
using Bulwark.Core.Crypto;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Compliance;

public sealed class PanTokeniserTests
{
    private static KeyRing NewKeyRing() => new(MasterKeyFile.CreateNew(new FakeTimeProvider()));

    [Fact]
    public void Tokenise_SamePanSameProject_GivesTheSameToken()
    {
        using var keys = NewKeyRing();
        using var tokeniser = new PanTokeniser(keys);

        var first = tokeniser.Tokenise("cards", "4111111111111111");
        var second = tokeniser.Tokenise("cards", "4111111111111111");

        Assert.Equal(first, second);
        Assert.StartsWith(PanTokeniser.Prefix, first, StringComparison.Ordinal);
        Assert.Equal(PanTokeniser.Prefix.Length + 26, first.Length);
    }

    [Fact]
    public void Tokenise_OtherPanOtherProjectOrOtherMasterKey_GivesAnotherToken()
    {
        using var keys = NewKeyRing();
        using var otherKeys = NewKeyRing();
        using var tokeniser = new PanTokeniser(keys);
        using var otherTokeniser = new PanTokeniser(otherKeys);
        var token = tokeniser.Tokenise("cards", "4111111111111111");

        Assert.NotEqual(token, tokeniser.Tokenise("cards", "4111111111111129"));
        Assert.NotEqual(token, tokeniser.Tokenise("other", "4111111111111111"));
        Assert.NotEqual(token, otherTokeniser.Tokenise("cards", "4111111111111111"));
    }

    [Fact]
    public void Tokenise_Tokens_NeverLookLikeACard()
    {
        using var keys = NewKeyRing();
        using var tokeniser = new PanTokeniser(keys);
        for (var i = 0; i < 500; i++)
        {
            var pan = TestCards.Random("4");
            var token = tokeniser.Tokenise("cards", pan);

            Assert.Empty(CardNumberDetector.Find(token));
            Assert.DoesNotContain(token, c => c is '0' or '1' or '8' or '9'); // base32: no long decimal runs
        }
    }
}
