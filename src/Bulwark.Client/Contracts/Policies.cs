namespace Bulwark.Client.Contracts;

/// <summary>The ABAC policy document in force (<c>GET /api/v1/policies</c>). Version 0 with an empty document: no policies, roles alone decide.</summary>
public sealed record PolicyDocumentInfo(int Version, string Digest, string Format, string Document, int Policies, DateTimeOffset? CreatedAt, string? CreatedBy);

/// <summary>Body of <c>PUT /api/v1/policies</c>: a policy document in JSON or YAML (see docs/access-control.md).</summary>
public sealed record PutPolicyRequest(string Document);
