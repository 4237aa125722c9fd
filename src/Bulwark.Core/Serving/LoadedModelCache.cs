using System.Collections.Concurrent;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Serving;

/// <summary>
/// Verified, loaded models by version id (each loaded once, concurrent first requests wait for the same load), plus the
/// resolved version row per (model, version-or-production) so the hot path does not query the database. Promotion and
/// retirement call <see cref="Invalidate"/>; a per-model generation stops a lookup that raced with it from caching a
/// stale answer. A failed load is remembered for <see cref="FailureHold"/> only: long enough that a flood of requests
/// for a tampered version does not flood the audit ledger with one integrity event each, short enough that a repaired
/// artifact serves again soon (promotion or retirement clears it at once).
/// </summary>
internal sealed class LoadedModelCache(ModelLoader loader, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan FailureHold = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Guid, LoadedModel> _loaded = new();
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _gates = new();
    private readonly ConcurrentDictionary<(string Model, int? Version), ModelVersion> _rows = new();
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, (string Model, Failure Failure, DateTimeOffset Until)> _failures = new();
    private readonly ConcurrentDictionary<string, ChallengerRoute> _challengers = new(StringComparer.Ordinal);

    /// <summary>The cache key of a model: model names are unique per project only.</summary>
    public static string Key(string projectId, string model) => projectId + "/" + model;

    public long Generation(string model) => _generations.GetValueOrDefault(model);

    public bool TryGetRow(string model, int? version, out ModelVersion row) => _rows.TryGetValue((model, version), out row!);

    /// <summary>Caches a resolved row unless the model was invalidated since <paramref name="generation"/> was read.</summary>
    public void SetRow(string model, int? version, ModelVersion row, long generation)
    {
        _rows[(model, version)] = row;
        if (Generation(model) != generation)
        {
            _rows.TryRemove((model, version), out _);
        }
    }

    /// <summary>The model's cached challenger route (<see cref="ChallengerRoute.None"/> when none is configured).</summary>
    public bool TryGetChallenger(string model, out ChallengerRoute route) => _challengers.TryGetValue(model, out route!);

    /// <summary>Caches a challenger route unless the model was invalidated since <paramref name="generation"/> was read.</summary>
    public void SetChallenger(string model, ChallengerRoute route, long generation)
    {
        _challengers[model] = route;
        if (Generation(model) != generation)
        {
            _challengers.TryRemove(model, out _);
        }
    }

    /// <summary>Forgets the challenger route only (it was set or cleared); loaded runtimes stay.</summary>
    public void ForgetChallenger(string projectId, string modelName)
    {
        var model = Key(projectId, modelName);
        _generations.AddOrUpdate(model, 1, (_, g) => g + 1);
        _challengers.TryRemove(model, out _);
    }

    /// <summary>Returns the loaded model with a reference taken; the caller must call <see cref="LoadedModel.Release"/>.</summary>
    public async Task<Outcome<LoadedModel>> AcquireAsync(ModelVersion row, CancellationToken ct)
    {
        if (_loaded.TryGetValue(row.Id, out var cached) && cached.TryAcquire())
        {
            return cached;
        }

        var gate = _gates.GetOrAdd(row.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (_loaded.TryGetValue(row.Id, out cached) && cached.TryAcquire())
            {
                return cached;
            }

            if (_failures.TryGetValue(row.Id, out var failed) && failed.Until > time.GetUtcNow())
            {
                return failed.Failure;
            }

            var loaded = await loader.LoadAsync(row, ct);
            if (!loaded.Succeeded)
            {
                _failures[row.Id] = (Key(row.ProjectId, row.ModelName), loaded.Failure, time.GetUtcNow() + FailureHold);
                return loaded.Failure;
            }

            _failures.TryRemove(row.Id, out _);

            loaded.Value.TryAcquire();
            _loaded[row.Id] = loaded.Value;
            return loaded.Value;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets which versions of <paramref name="modelName"/> in <paramref name="projectId"/> serve and unloads its runtimes once idle.</summary>
    public void Invalidate(string projectId, string modelName)
    {
        var model = Key(projectId, modelName);
        _generations.AddOrUpdate(model, 1, (_, g) => g + 1);
        _challengers.TryRemove(model, out _);
        foreach (var key in _rows.Keys.Where(k => k.Model == model))
        {
            _rows.TryRemove(key, out _);
        }

        foreach (var (id, _) in _failures.Where(f => f.Value.Model == model))
        {
            _failures.TryRemove(id, out _);
        }

        foreach (var (id, loaded) in _loaded.Where(p => Key(p.Value.ProjectId, p.Value.ModelName) == model))
        {
            if (_loaded.TryRemove(new KeyValuePair<Guid, LoadedModel>(id, loaded)))
            {
                loaded.Release();
            }
        }
    }

    public void Dispose()
    {
        foreach (var loaded in _loaded.Values)
        {
            loaded.Release();
        }

        _loaded.Clear();
        foreach (var gate in _gates.Values)
        {
            gate.Dispose();
        }
    }
}
