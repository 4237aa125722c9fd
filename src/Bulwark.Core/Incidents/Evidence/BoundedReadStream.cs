namespace Bulwark.Core.Incidents.Evidence;

/// <summary>
/// Reads at most <c>limit</c> bytes from an inner stream and throws <see cref="EvidenceTooLargeException"/> past that, so
/// a zip entry that inflates to more than it declared (or than was signed) is cut off instead of exhausting memory or
/// time. Does not own the inner stream.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit, string name) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer[..Allowed(buffer.Length)]);
        return Count(read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken);
        return Count(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // One byte past the limit is asked for, so "exactly the limit" and "more" can be told apart.
    private int Allowed(int requested) => (int)Math.Min(requested, limit - BytesRead + 1);

    private int Count(int read)
    {
        BytesRead += read;
        return BytesRead > limit ? throw new EvidenceTooLargeException($"entry '{name}' is too large: it holds more than {limit} bytes") : read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
