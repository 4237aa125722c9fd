using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Identity;

/// <summary>
/// Field-level encryption of a user's personal fields (login, display name) and the keyed blind index that lets queries
/// find a login without storing it. Each field is an envelope bound to the user's id and the field's purpose, so a
/// value copied onto another row, or into the other column, fails authentication instead of decrypting.
/// </summary>
/// <remarks>
/// The blind index is HMAC-SHA256 of the normalised login under a key-ring subkey (derived from the ring's root, so
/// rotating the primary does not change it). Without the key, the index cannot be computed from a guessed login, unlike
/// an unkeyed hash; with it, the index reveals only which rows share a login (none: it is unique).
/// </remarks>
internal sealed class PersonalFields(EnvelopeEncryption envelope, KeyRing keyRing)
{
    public const string LoginPurpose = "user-login";
    public const string DisplayNamePurpose = "user-display-name";
    public const string IndexKeyPurpose = "blind-index/user-login";

    // Plaintext with invalid UTF-8 cannot come out of an authenticated envelope we wrote; refuse rather than substitute.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _indexKey = keyRing.DeriveKey(IndexKeyPurpose);

    /// <summary>The blind index of a login, normalised as logins are (NFKC, lower case).</summary>
    public byte[] LoginIndex(string login) =>
        HMACSHA256.HashData(_indexKey, StrictUtf8.GetBytes(UserService.NormalizeLogin(login)));

    /// <summary>Seals <paramref name="user"/>'s login and display name when they differ from what its sealed columns hold.</summary>
    public void Seal(User user)
    {
        if (user.SealedValues is { } current && current.Login == user.Login && current.DisplayName == user.DisplayName
            && user.LoginSealed is not null && user.DisplayNameSealed is not null)
        {
            return;
        }

        var id = user.Id.ToString("N");
        if (user.SealedValues?.Login != user.Login || user.LoginSealed is null || user.LoginIndex is null)
        {
            user.LoginSealed = envelope.Encrypt(StrictUtf8.GetBytes(user.Login), id, LoginPurpose);
            user.LoginIndex = LoginIndex(user.Login);
        }

        if (user.SealedValues?.DisplayName != user.DisplayName || user.DisplayNameSealed is null)
        {
            user.DisplayNameSealed = envelope.Encrypt(StrictUtf8.GetBytes(user.DisplayName), id, DisplayNamePurpose);
        }

        user.LegacyLogin = null;
        user.LegacyDisplayName = null;
        user.SealedValues = (user.Login, user.DisplayName);
    }

    /// <summary>Opens a user row's sealed fields into <see cref="User.Login"/> and <see cref="User.DisplayName"/>.</summary>
    /// <exception cref="KeyVersionUnavailableException">A field is under a key version the ring refuses (by policy, not tampering).</exception>
    /// <exception cref="PersonalFieldIntegrityException">
    /// A field is missing, malformed, made for another row or field, or altered; or the blind index does not match the login.
    /// </exception>
    public void Open(User user)
    {
        if (user.LoginSealed is null || user.DisplayNameSealed is null || user.LoginIndex is null)
        {
            throw new PersonalFieldIntegrityException(user.Id, "its personal fields are not sealed");
        }

        var login = OpenField(user, user.LoginSealed, LoginPurpose);
        var displayName = OpenField(user, user.DisplayNameSealed, DisplayNamePurpose);

        // An index copied from another row would let a lookup for that row's login land here: refuse it.
        if (!CryptographicOperations.FixedTimeEquals(LoginIndex(login), user.LoginIndex))
        {
            throw new PersonalFieldIntegrityException(user.Id, "its login index does not match its login");
        }

        user.Login = login;
        user.DisplayName = displayName;
        user.SealedValues = (login, displayName);
    }

    private string OpenField(User user, byte[] sealedValue, string purpose)
    {
        try
        {
            var plain = envelope.Decrypt(sealedValue, user.Id.ToString("N"), purpose);
            try
            {
                return StrictUtf8.GetString(plain);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }
        catch (KeyVersionUnavailableException)
        {
            throw;
        }
        catch (CryptographicException ex)
        {
            throw new PersonalFieldIntegrityException(user.Id, $"its {purpose} does not decrypt for this row", ex);
        }
        catch (DecoderFallbackException ex)
        {
            throw new PersonalFieldIntegrityException(user.Id, $"its {purpose} is not UTF-8 text", ex);
        }
    }
}
