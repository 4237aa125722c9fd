using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bulwark.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ModelChallengers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ShadowOf",
                table: "captured_predictions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "model_challengers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    VersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    ManifestDigest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Mode = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Share = table.Column<double>(type: "REAL", nullable: false),
                    SetBy = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    SetAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Tag = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_challengers", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_captured_predictions_ShadowOf",
                table: "captured_predictions",
                column: "ShadowOf");

            migrationBuilder.CreateIndex(
                name: "IX_model_challengers_ProjectId_ModelName",
                table: "model_challengers",
                columns: new[] { "ProjectId", "ModelName" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_challengers");

            migrationBuilder.DropIndex(
                name: "IX_captured_predictions_ShadowOf",
                table: "captured_predictions");

            migrationBuilder.DropColumn(
                name: "ShadowOf",
                table: "captured_predictions");
        }
    }
}
