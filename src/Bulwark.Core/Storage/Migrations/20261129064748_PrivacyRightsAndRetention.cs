using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bulwark.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class PrivacyRightsAndRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CaptureRetentionDays",
                table: "projects",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DatasetRetentionDays",
                table: "projects",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RetrainReason",
                table: "model_versions",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RetrainRequiredAt",
                table: "model_versions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ObjectId",
                table: "datasets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubjectColumn",
                table: "datasets",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubjectPseudonym",
                table: "captured_predictions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_captured_predictions_ProjectId_SubjectPseudonym",
                table: "captured_predictions",
                columns: new[] { "ProjectId", "SubjectPseudonym" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_captured_predictions_ProjectId_SubjectPseudonym",
                table: "captured_predictions");

            migrationBuilder.DropColumn(
                name: "CaptureRetentionDays",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "DatasetRetentionDays",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "RetrainReason",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "RetrainRequiredAt",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "ObjectId",
                table: "datasets");

            migrationBuilder.DropColumn(
                name: "SubjectColumn",
                table: "datasets");

            migrationBuilder.DropColumn(
                name: "SubjectPseudonym",
                table: "captured_predictions");
        }
    }
}
