using System.Security.Cryptography;
using Bulwark.Core.Registry;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Tests.Registry;

/// <summary>The OMS bundle that may come with an ONNX import: only a trusted signer, only over exactly the uploaded file.</summary>
public sealed class ExternalSignatureTests : IDisposable
{
    private static readonly byte[] Model = RegistryTestModels.NumericOnnx;
    private readonly ECDsa _trusted = OmsTestSigner.NewKey();
    private readonly ECDsa _stranger = OmsTestSigner.NewKey();

    public void Dispose()
    {
        _trusted.Dispose();
        _stranger.Dispose();
    }

    private TrustedSigners Signers() => new(Options.Create(new RegistryOptions { TrustedSigners = [OmsTestSigner.Pem(_trusted)] }));

    [Theory]
    [InlineData(".")]
    [InlineData("model.onnx")]
    [InlineData("fraud-v3.onnx")]
    public void Verify_TrustedSignerOverTheFile_ReturnsSigner(string resourceName)
    {
        var bundle = OmsTestSigner.Bundle(_trusted, OmsTestSigner.Statement([(resourceName, Model)]));

        var result = ExternalSignature.Verify(bundle, Model, Signers());

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Equal(Core.Crypto.EcdsaP256.KeyIdOf(_trusted.ExportSubjectPublicKeyInfo()), result.Value.KeyId);
    }

    [Fact]
    public void Verify_SignedByUntrustedKey_SignerUntrusted422()
    {
        var bundle = OmsTestSigner.Bundle(_stranger, OmsTestSigner.Statement([(".", Model)]));

        var result = ExternalSignature.Verify(bundle, Model, Signers());

        Assert.Equal((RegistryErrors.SignerUntrusted, 422), (result.Failure!.Code, result.Failure.Status));
    }

    [Fact]
    public void Verify_UntrustedKeyClaimingTrustedHint_SignerUntrusted()
    {
        var bundle = OmsTestSigner.Bundle(_stranger, OmsTestSigner.Statement([(".", Model)]), hintKey: _trusted);

        var result = ExternalSignature.Verify(bundle, Model, Signers());

        Assert.Equal(RegistryErrors.SignerUntrusted, result.Failure!.Code);
    }

    [Fact]
    public void Verify_ModelTamperedAfterSigning_DigestMismatch422()
    {
        var bundle = OmsTestSigner.Bundle(_trusted, OmsTestSigner.Statement([(".", Model)]));
        var tampered = (byte[])Model.Clone();
        tampered[^1] ^= 0x01;

        var result = ExternalSignature.Verify(bundle, tampered, Signers());

        Assert.Equal((RegistryErrors.DigestMismatch, 422), (result.Failure!.Code, result.Failure.Status));
    }

    [Fact]
    public void Verify_BundleOverSeveralFiles_BundleInvalid()
    {
        var bundle = OmsTestSigner.Bundle(_trusted, OmsTestSigner.Statement([("model.onnx", Model), ("loader.py", [1])]));

        var result = ExternalSignature.Verify(bundle, Model, Signers());

        Assert.Equal((RegistryErrors.BundleInvalid, 400), (result.Failure!.Code, result.Failure.Status));
    }

    [Theory]
    [InlineData("../model.onnx")]
    [InlineData("dir/model.onnx")]
    public void Verify_ResourceNameIsAPath_BundleInvalid(string name)
    {
        var bundle = OmsTestSigner.Bundle(_trusted, OmsTestSigner.Statement([(name, Model)]));

        Assert.Equal(RegistryErrors.BundleInvalid, ExternalSignature.Verify(bundle, Model, Signers()).Failure!.Code);
    }

    [Fact]
    public void Verify_MalformedBundle_BundleInvalid400()
    {
        var result = ExternalSignature.Verify("{\"mediaType\":"u8.ToArray(), Model, Signers());

        Assert.Equal((RegistryErrors.BundleInvalid, 400), (result.Failure!.Code, result.Failure.Status));
    }

    [Fact]
    public void Verify_NoTrustedSigners_EverythingUntrusted()
    {
        var bundle = OmsTestSigner.Bundle(_trusted, OmsTestSigner.Statement([(".", Model)]));

        var result = ExternalSignature.Verify(bundle, Model, new TrustedSigners(Options.Create(new RegistryOptions())));

        Assert.Equal(RegistryErrors.SignerUntrusted, result.Failure!.Code);
    }
}
