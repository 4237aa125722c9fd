using System.Buffers;

namespace Bulwark.Core.Serving;

/// <summary>
/// Validated rows of a prediction request: numeric values and categorical values per (row, feature), in pooled
/// buffers. Dispose returns them; categorical slots are cleared so no request's strings outlive it in the pool.
/// </summary>
internal sealed class ParsedBatch : IDisposable
{
    private double[] _numeric;
    private string?[] _categorical;

    public ParsedBatch(int features, bool hasCategorical, int rowCapacity)
    {
        Features = features;
        HasCategorical = hasCategorical;
        // checked: an overflowed product would rent a too-small buffer instead of failing.
        var size = Math.Max(1, checked(features * rowCapacity));
        _numeric = ArrayPool<double>.Shared.Rent(size);
        _categorical = hasCategorical ? ArrayPool<string?>.Shared.Rent(size) : [];
    }

    public int Features { get; }
    public bool HasCategorical { get; }
    public int Rows { get; set; }

    /// <summary>OIP v2 request id, echoed in the response.</summary>
    public string? Id { get; set; }

    public void EnsureRows(int rows)
    {
        var needed = checked(rows * Features);
        if (needed <= _numeric.Length)
        {
            return;
        }

        var size = Math.Max(needed, (int)Math.Min(Array.MaxLength, _numeric.Length * 2L));
        var numeric = ArrayPool<double>.Shared.Rent(size);
        _numeric.AsSpan().CopyTo(numeric);
        ArrayPool<double>.Shared.Return(_numeric);
        _numeric = numeric;
        if (HasCategorical)
        {
            var categorical = ArrayPool<string?>.Shared.Rent(size);
            _categorical.AsSpan().CopyTo(categorical);
            ArrayPool<string?>.Shared.Return(_categorical, clearArray: true);
            _categorical = categorical;
        }
    }

    public ref double Numeric(int row, int feature) => ref _numeric[(row * Features) + feature];

    public ref string? Categorical(int row, int feature) => ref _categorical[(row * Features) + feature];

    public ReadOnlySpan<double> NumericRow(int row) => _numeric.AsSpan(row * Features, Features);

    public IReadOnlyList<string?> CategoricalRow(int row) =>
        HasCategorical ? new ArraySegment<string?>(_categorical, row * Features, Features) : [];

    public void Dispose()
    {
        ArrayPool<double>.Shared.Return(_numeric);
        if (HasCategorical)
        {
            ArrayPool<string?>.Shared.Return(_categorical, clearArray: true);
        }

        _numeric = [];
        _categorical = [];
    }
}
