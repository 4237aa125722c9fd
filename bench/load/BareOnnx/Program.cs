using System.Globalization;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BareOnnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// Usage: BareOnnx --port P --cert cert.pem --key key.pem --data breast-cancer-wisconsin.csv
var settings = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
var port = int.Parse(settings["--port"], CultureInfo.InvariantCulture);
var (onnx, featureNames) = BareModel.TrainOnnx(settings["--data"]);
using var session = new InferenceSession(onnx);
var inputName = session.InputMetadata.Keys.Single();
var featureIndex = featureNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
using var pem = X509Certificate2.CreateFromPemFile(settings["--cert"], settings["--key"]);
using var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(https =>
    {
        https.ServerCertificate = certificate;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
    }));
});
var app = builder.Build();

// Same body as the secured /v1 path; no validation at all beyond what is needed to build the tensor.
app.MapPost("/predict", async (HttpRequest request) =>
{
    using var body = await JsonDocument.ParseAsync(request.Body);
    var instances = body.RootElement.GetProperty("instances");
    var rows = instances.GetArrayLength();
    var input = new DenseTensor<float>([rows, BareModel.Width]);
    var r = 0;
    foreach (var instance in instances.EnumerateArray())
    {
        foreach (var property in instance.EnumerateObject())
        {
            input[r, featureIndex[property.Name]] = (float)property.Value.GetDouble();
        }

        r++;
    }

    using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)]);
    var probability = results.First(v => v.Name.StartsWith("Probability", StringComparison.Ordinal)).AsEnumerable<float>().ToArray();
    return Results.Json(new { predictions = probability.Select(p => new { label = p >= 0.5f ? "malignant" : "benign", score = Math.Round(p, 4) }) });
});

app.Run();
