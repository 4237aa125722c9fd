namespace Bulwark.Core.Datasets;

/// <summary>How sensitive a dataset is. Restricted and confidential data never appear raw in audit or logs.</summary>
public enum DataClassification
{
    Public,
    Internal,
    Confidential,
    Restricted,
}
