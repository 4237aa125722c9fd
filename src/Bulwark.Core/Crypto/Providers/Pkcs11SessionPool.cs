using System.Collections.Concurrent;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// A bounded pool of logged-in read/write sessions on one token. A PKCS#11 session must not be used by two threads at
/// once (PKCS#11 v2.40 §5.1.6), so each operation rents a session for itself. When the token reports that the session
/// or the login is gone (token reset, HSM fail-over, another client closing all sessions), every pooled session is
/// dropped and the operation is retried once on a fresh, logged-in session.
/// </summary>
internal sealed class Pkcs11SessionPool : IDisposable
{
    private readonly ISlot _slot;
    private readonly byte[] _pin;
    private readonly ConcurrentBag<ISession> _idle = [];
    private readonly SemaphoreSlim _available;
    private int _generation;
    private bool _disposed;

    public Pkcs11SessionPool(ISlot slot, byte[] pin, int maxSessions)
    {
        _slot = slot;
        _pin = pin;
        _available = new SemaphoreSlim(maxSessions, maxSessions);
    }

    /// <summary>Raised after the pool reconnected, so cached object handles can be forgotten.</summary>
    public event Action? Reconnected;

    public ISlot Slot => _slot;

    /// <summary>Opens and logs in one session now, so a wrong PIN or a missing token fails at startup.</summary>
    public void Warm() => Run(_ => 0);

    public T Run<T>(Func<ISession, T> operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var attempt = 0; ; attempt++)
        {
            _available.Wait();
            var generation = Volatile.Read(ref _generation);
            ISession? session = null;
            var keep = false;
            try
            {
                session = _idle.TryTake(out var idle) ? idle : Open();
                var result = operation(session);
                keep = true;
                return result;
            }
            catch (Pkcs11Exception ex) when (attempt == 0 && IsLostSession(ex.RV))
            {
                Reconnect(generation);
            }
            finally
            {
                if (session is not null)
                {
                    if (keep && generation == Volatile.Read(ref _generation))
                    {
                        _idle.Add(session);
                    }
                    else
                    {
                        CloseQuietly(session);
                    }
                }

                _available.Release();
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_idle.TryTake(out var session))
        {
            CloseQuietly(session);
        }

        CryptographicOperations.ZeroMemory(_pin);
        _available.Dispose();
    }

    private static bool IsLostSession(CKR rv) => rv is CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED
        or CKR.CKR_USER_NOT_LOGGED_IN or CKR.CKR_DEVICE_REMOVED or CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID;

    private ISession Open()
    {
        var session = _slot.OpenSession(SessionType.ReadWrite);
        try
        {
            // The login state belongs to the application, not the session: later sessions find it already done.
            session.Login(CKU.CKU_USER, _pin);
        }
        catch (Pkcs11Exception ex) when (ex.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
        }
        catch (Pkcs11Exception ex) when (ex.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE)
        {
            CloseQuietly(session);
            throw new SecurityConfigurationException($"The PKCS#11 token refused the user PIN ({ex.RV}). Check the file or variable named by {Pkcs11Options.Section}:PinFile / PinEnvironmentVariable; repeated failures may lock the token.", ex);
        }
        catch (Pkcs11Exception ex) when (ex.RV is CKR.CKR_PIN_LOCKED or CKR.CKR_PIN_EXPIRED or CKR.CKR_USER_PIN_NOT_INITIALIZED)
        {
            CloseQuietly(session);
            throw new SecurityConfigurationException($"The PKCS#11 token does not accept a user login ({ex.RV}): the user PIN is locked, expired or not set. Reset it with the token vendor's tools.", ex);
        }
        catch
        {
            CloseQuietly(session);
            throw;
        }

        return session;
    }

    private void Reconnect(int seenGeneration)
    {
        // Only the first thread to see the loss drops the pool; the others just retry.
        if (Interlocked.CompareExchange(ref _generation, seenGeneration + 1, seenGeneration) != seenGeneration)
        {
            return;
        }

        while (_idle.TryTake(out var stale))
        {
            CloseQuietly(stale);
        }

        Reconnected?.Invoke();
    }

    private static void CloseQuietly(ISession session)
    {
        try
        {
            session.Dispose();
        }
        catch (Pkcs11Exception)
        {
            // Already closed by the token: nothing left to release.
        }
    }
}
