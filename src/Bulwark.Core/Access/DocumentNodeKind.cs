namespace Bulwark.Core.Access;

/// <summary>The shapes a policy or policy-test document is made of.</summary>
internal enum DocumentNodeKind
{
    Map,
    List,
    Scalar,
}
