using System.Linq.Expressions;
using System.Security.Cryptography;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Crypto.Envelopes;

/// <summary>
/// One database column holding envelopes (raw bytes, or <c>bwe1:</c> sealed text), with the row key that, with a fixed
/// purpose, forms what each envelope is bound to. Reads every project (tenant filters off): the key ring is instance-wide.
/// </summary>
/// <remarks>
/// Rewrap replaces a value with one compare-and-swap <c>UPDATE … WHERE key = @id AND column = @old</c>, its own
/// transaction: a crash leaves each row old or new (both readable), and a value changed meanwhile (MFA re-enrolment,
/// erasure) is left for the next run rather than overwritten.
/// </remarks>
internal sealed class DbEnvelopeColumn<TEntity, TKey, TValue>(
    string name,
    IDbContextFactory<BulwarkDbContext> contexts,
    Expression<Func<TEntity, TKey>> key,
    Expression<Func<TEntity, TValue>> column,
    Func<TKey, string> objectId,
    string purpose,
    Func<TValue, byte[]?> read,
    Func<byte[], TValue> write) : IEnvelopeStore
    where TEntity : class
    where TKey : notnull
{
    private const int Batch = 256;

    public string Name => name;

    public async Task CountAsync(IDictionary<string, long> counts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await foreach (var value in db.Set<TEntity>().IgnoreQueryFilters().AsNoTracking().Select(column).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (value is null)
            {
                continue;
            }

            var bytes = read(value);
            var version = bytes is null ? EnvelopeInventory.NotAnEnvelope : EnvelopeEncryption.TryReadKeyId(bytes) ?? EnvelopeInventory.NotAnEnvelope;
            counts[version] = counts.TryGetValue(version, out var n) ? n + 1 : 1;
        }
    }

    public async Task<StoreRewrapResult> RewrapAsync(EnvelopeEncryption envelope, CancellationToken cancellationToken)
    {
        long rewrapped = 0, current = 0, failed = 0, changed = 0;
        List<TKey> keys;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            keys = await db.Set<TEntity>().IgnoreQueryFilters().AsNoTracking().Select(key).ToListAsync(cancellationToken);
        }

        foreach (var chunk in keys.Chunk(Batch))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = await db.Set<TEntity>().IgnoreQueryFilters().AsNoTracking().Where(KeyIn(chunk)).Select(Row()).ToListAsync(cancellationToken);
            foreach (var (id, value) in rows)
            {
                if (value is null || read(value) is not { } before)
                {
                    continue;
                }

                byte[]? after;
                try
                {
                    after = envelope.Rewrap(before, objectId(id), purpose);
                }
                catch (CryptographicException)
                {
                    failed++;
                    continue;
                }

                if (after is null)
                {
                    current++;
                    continue;
                }

                var updated = await db.Set<TEntity>().IgnoreQueryFilters().Where(Unchanged(id, value))
                    .ExecuteUpdateAsync(s => s.SetProperty(column, write(after)), cancellationToken);
                if (updated == 1)
                {
                    rewrapped++;
                }
                else
                {
                    changed++;
                }
            }
        }

        return new StoreRewrapResult(Name, rewrapped, current, failed, changed);
    }

    private Expression<Func<TEntity, bool>> KeyIn(TKey[] chunk)
    {
        var parameter = key.Parameters[0];
        var contains = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(TKey)], Expression.Constant(chunk), key.Body);
        return Expression.Lambda<Func<TEntity, bool>>(contains, parameter);
    }

    private Expression<Func<TEntity, KeyValuePair<TKey, TValue>>> Row()
    {
        var parameter = key.Parameters[0];
        var constructor = typeof(KeyValuePair<TKey, TValue>).GetConstructor([typeof(TKey), typeof(TValue)])!;
        return Expression.Lambda<Func<TEntity, KeyValuePair<TKey, TValue>>>(Expression.New(constructor, key.Body, Rebind(column, parameter)), parameter);
    }

    private Expression<Func<TEntity, bool>> Unchanged(TKey id, TValue value)
    {
        var parameter = key.Parameters[0];
        var sameKey = Expression.Equal(key.Body, Expression.Constant(id, typeof(TKey)));
        var sameValue = Expression.Equal(Rebind(column, parameter), Expression.Constant(value, typeof(TValue)));
        return Expression.Lambda<Func<TEntity, bool>>(Expression.AndAlso(sameKey, sameValue), parameter);
    }

    private static Expression Rebind(LambdaExpression lambda, ParameterExpression parameter) =>
        new ParameterSwap(lambda.Parameters[0], parameter).Visit(lambda.Body);

    private sealed class ParameterSwap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
