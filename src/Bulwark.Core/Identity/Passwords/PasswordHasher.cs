using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Hashes passwords with Argon2id (RFC 9106; OWASP Password Storage Cheat Sheet; NIST SP 800-63B
/// §3.1.1.2 asks for a salted, memory-hard one-way function) into self-describing PHC strings, so
/// stored hashes carry their own parameters and can be upgraded on the next successful login.
/// </summary>
internal sealed class PasswordHasher
{
    /// <summary>
    /// Longest input (UTF-16 units) the hasher accepts. The policy caps new passwords far lower;
    /// this bound only stops a login request from making us normalise and pre-hash megabytes.
    /// </summary>
    public const int MaxInputLength = 4096;

    private readonly PasswordHashingOptions options;
    private readonly Lazy<string> dummyHash;

    public PasswordHasher(PasswordHashingOptions? options = null)
    {
        this.options = options ?? new PasswordHashingOptions();
        if (this.options.Parallelism != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "libsodium's Argon2id supports a parallelism of 1 only.");
        }

        if (!MeetsOwaspMinimum(this.options.MemoryKiB, this.options.Iterations)
            || this.options.MemoryKiB > PhcArgon2Hash.MaxMemoryKiB
            || this.options.Iterations > PhcArgon2Hash.MaxIterations)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Argon2id parameters must meet the OWASP minimum and stay within 1 GiB and 20 passes.");
        }

        // A hash of a random password nobody knows, with the current parameters.
        dummyHash = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
    }

    /// <summary>
    /// A valid hash of an unknown random password. Verifying against it costs what a real verify
    /// costs, so a login for an unknown user answers in the same time (no user enumeration).
    /// </summary>
    public string DummyHash => dummyHash.Value;

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length > MaxInputLength)
        {
            throw new ArgumentException("The password is longer than any policy allows.", nameof(password));
        }

        var salt = RandomNumberGenerator.GetBytes(PhcArgon2Hash.SaltBytes);
        var hash = Derive(PasswordText.Normalize(password), salt, options.MemoryKiB, options.Iterations, PhcArgon2Hash.HashBytes);
        return new PhcArgon2Hash(options.MemoryKiB, options.Iterations, options.Parallelism, salt, hash).Format();
    }

    /// <summary>Checks a password against a stored PHC string. Never throws on bad stored data.</summary>
    public PasswordVerification Verify(string phc, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!PhcArgon2Hash.TryParse(phc, out var stored) || password.Length > MaxInputLength)
        {
            // Spend the time of a real verification anyway, so malformed rows are not distinguishable by timing.
            VerifyDummy(password.Length > MaxInputLength ? string.Empty : password);
            return PasswordVerification.Failed;
        }

        byte[] actual;
        try
        {
            actual = Derive(PasswordText.Normalize(password), stored.Salt, stored.MemoryKiB, stored.Iterations, stored.Hash.Length);
        }
        catch (ArgumentException)
        {
            return PasswordVerification.Failed;
        }
        catch (CryptographicException)
        {
            return PasswordVerification.Failed;
        }

        // Constant time: an early-exit comparison would leak how many leading bytes matched.
        if (!CryptographicOperations.FixedTimeEquals(actual, stored.Hash))
        {
            return PasswordVerification.Failed;
        }

        return NeedsRehash(stored) ? PasswordVerification.SucceededRehashNeeded : PasswordVerification.Succeeded;
    }

    /// <summary>Does the work of one verification and discards the result (unknown user).</summary>
    public void VerifyDummy(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (PhcArgon2Hash.TryParse(DummyHash, out var dummy))
        {
            var normalized = password.Length > MaxInputLength ? string.Empty : PasswordText.Normalize(password);
            var actual = Derive(normalized, dummy.Salt, dummy.MemoryKiB, dummy.Iterations, dummy.Hash.Length);
            _ = CryptographicOperations.FixedTimeEquals(actual, dummy.Hash);
        }
    }

    /// <summary>OWASP Password Storage Cheat Sheet: the equivalent Argon2id (m, t) pairs.</summary>
    public static bool MeetsOwaspMinimum(int memoryKiB, int iterations) =>
        (memoryKiB >= 47104 && iterations >= 1)
        || (memoryKiB >= 19456 && iterations >= 2)
        || (memoryKiB >= 12288 && iterations >= 3)
        || (memoryKiB >= 9216 && iterations >= 4)
        || (memoryKiB >= 7168 && iterations >= 5);

    private bool NeedsRehash(PhcArgon2Hash stored) =>
        !MeetsOwaspMinimum(stored.MemoryKiB, stored.Iterations)
        || stored.MemoryKiB < options.MemoryKiB
        || stored.Iterations < options.Iterations
        || stored.Hash.Length != PhcArgon2Hash.HashBytes;

    private static byte[] Derive(string normalizedPassword, byte[] salt, int memoryKiB, int iterations, int length)
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKiB,
            NumberOfPasses = iterations,
        });
        var bytes = Encoding.UTF8.GetBytes(normalizedPassword);
        try
        {
            return algorithm.DeriveBytes(bytes, salt, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
